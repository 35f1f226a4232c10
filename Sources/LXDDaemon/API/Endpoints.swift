import LXDAPI

/// The daemon's endpoint table (LXD's `api10` list), built once at start.
enum Endpoints {
    static func all(_ state: DaemonState) -> [Endpoint] {
        let server = ServerAPI(state: state)
        let events = EventsAPI(state: state)
        let operations = OperationsAPI(state: state)
        let images = ImagesAPI(state: state)
        let aliases = ImageAliasesAPI(state: state)
        let instances = InstancesAPI(state: state)
        let files = InstanceFilesAPI(state: state)
        let console = InstanceConsoleAPI(state: state)
        let profiles = ProfilesAPI(state: state)
        let pools = StoragePoolsAPI(state: state)
        let volumes = StorageVolumesAPI(state: state)
        let networks = NetworksAPI(state: state)
        let internalAPI = InternalAPI(state: state)

        var endpoints: [Endpoint] = [
            Endpoint("/", get: Action(server.rootGet)),
            Endpoint("/1.0", get: Action(server.serverGet), put: Action(server.serverPut), patch: Action(server.serverPatch)),
            Endpoint("/internal/ready", get: Action(server.readyGet)),
            Endpoint("/internal/shutdown", put: Action(server.shutdownPut)),
            Endpoint("/internal/containers/{name}/onstop", post: Action(internalAPI.onStopPost)),
            Endpoint("/1.0/events", get: Action(events.eventsGet)),
            Endpoint("/1.0/operations", get: Action(operations.operationsGet)),
            Endpoint("/1.0/operations/{id}", get: Action(operations.operationGet), delete: Action(operations.operationDelete)),
            Endpoint("/1.0/operations/{id}/wait", get: Action(operations.operationWaitGet)),
            Endpoint("/1.0/operations/{id}/websocket", get: Action(operations.operationWebSocketGet)),
            Endpoint("/1.0/images", get: Action(images.imagesGet), post: Action(images.imagesPost, streamsBody: true)),
            Endpoint("/1.0/images/aliases", get: Action(aliases.aliasesGet), post: Action(aliases.aliasesPost)),
            Endpoint(
                "/1.0/images/aliases/{name}", get: Action(aliases.aliasGet), put: Action(aliases.aliasPut),
                post: Action(aliases.aliasPost), patch: Action(aliases.aliasPatch), delete: Action(aliases.aliasDelete)),
            Endpoint(
                "/1.0/images/{fingerprint}", get: Action(images.imageGet), put: Action(images.imagePut),
                patch: Action(images.imagePatch), delete: Action(images.imageDelete)),
            Endpoint("/1.0/images/{fingerprint}/export", get: Action(images.imageExportGet)),
            Endpoint("/1.0/images/{fingerprint}/refresh", post: Action(images.imageRefreshPost)),
            Endpoint("/1.0/profiles", get: Action(profiles.profilesGet), post: Action(profiles.profilesPost)),
            Endpoint(
                "/1.0/profiles/{name}", get: Action(profiles.profileGet), put: Action(profiles.profilePut),
                post: Action(profiles.profilePost), patch: Action(profiles.profilePatch), delete: Action(profiles.profileDelete)),
            Endpoint("/1.0/storage-pools", get: Action(pools.poolsGet), post: Action(pools.poolsPost)),
            Endpoint(
                "/1.0/storage-pools/{name}", get: Action(pools.poolGet), put: Action(pools.poolPut), patch: Action(pools.poolPatch),
                delete: Action(pools.poolDelete)),
            Endpoint("/1.0/storage-pools/{name}/resources", get: Action(pools.poolResourcesGet)),
        ]
        endpoints += StorageVolumesAPI.endpoints(volumes)
        endpoints += networks.endpoints
        // Instances answer on both the current and the legacy (pre-`instances` extension) paths.
        for collection in ["instances", "containers"] {
            let base = "/1.0/\(collection)"
            endpoints += [
                Endpoint(base, get: Action(instances.instancesGet), post: Action(instances.instancesPost)),
                Endpoint(
                    base + "/{name}", get: Action(instances.instanceGet), put: Action(instances.instancePut),
                    post: Action(instances.instancePost), patch: Action(instances.instancePatch),
                    delete: Action(instances.instanceDelete)),
                Endpoint(base + "/{name}/state", get: Action(instances.instanceStateGet), put: Action(instances.instanceStatePut)),
                Endpoint(base + "/{name}/exec", post: Action(instances.instanceExecPost)),
                Endpoint(
                    base + "/{name}/files", get: Action(files.instanceFileGet), post: Action(files.instanceFilePost, streamsBody: true),
                    delete: Action(files.instanceFileDelete), head: Action(files.instanceFileHead)),
                Endpoint(
                    base + "/{name}/console", get: Action(console.instanceConsoleLogGet), post: Action(console.instanceConsolePost),
                    delete: Action(console.instanceConsoleLogDelete)),
                Endpoint(base + "/{name}/logs", get: Action(instances.instanceLogsGet)),
                Endpoint(base + "/{name}/logs/{file}", get: Action(instances.instanceLogGet)),
                Endpoint(
                    base + "/{name}/snapshots", get: Action(instances.instanceSnapshotsGet), post: Action(instances.instanceSnapshotsPost)),
                Endpoint(
                    base + "/{name}/snapshots/{snapshot}", get: Action(instances.instanceSnapshotGet),
                    put: Action(instances.instanceSnapshotPut), post: Action(instances.instanceSnapshotPost),
                    patch: Action(instances.instanceSnapshotPut), delete: Action(instances.instanceSnapshotDelete)),
            ]
        }
        return endpoints
    }
}
