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
        let certificates = CertificatesAPI(state: state)
        let projects = ProjectsAPI(state: state)

        var endpoints: [Endpoint] = [
            Endpoint("/", get: Action(server.rootGet, access: .untrusted)),
            Endpoint(
                "/1.0", get: Action(server.serverGet, access: .untrusted), put: Action(server.serverPut, access: .admin),
                patch: Action(server.serverPatch, access: .admin)),
            Endpoint("/internal/ready", get: Action(server.readyGet, access: .admin)),
            Endpoint("/internal/shutdown", put: Action(server.shutdownPut, access: .admin)),
            Endpoint("/internal/containers/{name}/onstop", post: Action(internalAPI.onStopPost, access: .admin)),
            Endpoint("/1.0/events", get: Action(events.eventsGet)),
            Endpoint("/1.0/operations", get: Action(operations.operationsGet)),
            Endpoint("/1.0/operations/{id}", get: Action(operations.operationGet), delete: Action(operations.operationDelete)),
            Endpoint("/1.0/operations/{id}/wait", get: Action(operations.operationWaitGet)),
            Endpoint("/1.0/operations/{id}/websocket", get: Action(operations.operationWebSocketGet, access: .untrusted)),
            Endpoint("/1.0/images", get: Action(images.imagesGet, access: .untrusted), post: Action(images.imagesPost, streamsBody: true)),
            Endpoint(
                "/1.0/images/aliases", get: Action(aliases.aliasesGet, access: .untrusted), post: Action(aliases.aliasesPost)),
            Endpoint(
                "/1.0/images/aliases/{name}", get: Action(aliases.aliasGet, access: .untrusted), put: Action(aliases.aliasPut),
                post: Action(aliases.aliasPost), patch: Action(aliases.aliasPatch), delete: Action(aliases.aliasDelete)),
            Endpoint(
                "/1.0/images/{fingerprint}", get: Action(images.imageGet, access: .untrusted), put: Action(images.imagePut),
                patch: Action(images.imagePatch), delete: Action(images.imageDelete)),
            Endpoint("/1.0/images/{fingerprint}/export", get: Action(images.imageExportGet, access: .untrusted)),
            Endpoint("/1.0/images/{fingerprint}/refresh", post: Action(images.imageRefreshPost)),
            Endpoint("/1.0/images/{fingerprint}/secret", post: Action(images.imageSecretPost)),
            Endpoint("/1.0/profiles", get: Action(profiles.profilesGet), post: Action(profiles.profilesPost)),
            Endpoint(
                "/1.0/profiles/{name}", get: Action(profiles.profileGet), put: Action(profiles.profilePut),
                post: Action(profiles.profilePost), patch: Action(profiles.profilePatch), delete: Action(profiles.profileDelete)),
            Endpoint(
                "/1.0/storage-pools", get: Action(pools.poolsGet, access: .authenticated), post: Action(pools.poolsPost, access: .admin)),
            Endpoint(
                "/1.0/storage-pools/{name}", get: Action(pools.poolGet, access: .authenticated), put: Action(pools.poolPut, access: .admin),
                patch: Action(pools.poolPatch, access: .admin), delete: Action(pools.poolDelete, access: .admin)),
            Endpoint("/1.0/storage-pools/{name}/resources", get: Action(pools.poolResourcesGet, access: .authenticated)),
            Endpoint("/1.0/projects", get: Action(projects.projectsGet, access: .authenticated)),
            Endpoint("/1.0/projects/{name}", get: Action(projects.projectGet, access: .authenticated)),
            Endpoint(
                "/1.0/certificates", get: Action(certificates.certificatesGet, access: .authenticated),
                post: Action(certificates.certificatesPost, access: .untrusted)),
            Endpoint(
                "/1.0/certificates/{fingerprint}", get: Action(certificates.certificateGet, access: .authenticated),
                put: Action(certificates.certificatePut, access: .authenticated),
                patch: Action(certificates.certificatePatch, access: .authenticated),
                delete: Action(certificates.certificateDelete, access: .authenticated)),
        ]
        endpoints += StorageVolumesAPI.endpoints(volumes)
        endpoints += networks.endpoints
        let metadata = InstanceMetadataAPI(state: state)
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
                Endpoint(
                    base + "/{name}/metadata", get: Action(metadata.instanceMetadataGet), put: Action(metadata.instanceMetadataPut),
                    patch: Action(metadata.instanceMetadataPatch)),
                Endpoint(
                    base + "/{name}/metadata/templates", get: Action(metadata.instanceMetadataTemplatesGet),
                    post: Action(metadata.instanceMetadataTemplatesPost), delete: Action(metadata.instanceMetadataTemplatesDelete)),
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
