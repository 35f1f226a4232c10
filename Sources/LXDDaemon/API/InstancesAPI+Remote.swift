import LXDAPI

extension InstancesAPI {
    /// A create whose image is on another server (`lxc launch host1:IMAGE host2:NAME`): the
    /// operation pulls the image into our store as a cache (LXD's `ImageDownload` during create),
    /// then creates from the local copy.
    func createFromRemoteImage(_ post: InstancesPost) async throws -> APIResponse {
        try InstanceName.validate(post.name)
        let state = self.state
        let instances = state.instances
        let operation = state.operations.run(description: "Creating instance", resources: Self.resources(post.name)) { operation in
            // As LXD: a cached image follows its alias when `images.auto_update_cached` (default true).
            let autoUpdate = try await state.database.serverConfig()["images.auto_update_cached"].map { $0 == "true" } ?? true
            let image = try await ImageDownload.pull(post.source, state: state, operation: operation, autoUpdate: autoUpdate)
            var local = post
            local.source = InstanceSource()
            local.source.type = "image"
            local.source.fingerprint = image.fingerprint
            let work = try await instances.prepareCreate(local)
            try await work(operation)
            return nil
        }
        return .async(operation)
    }
}
