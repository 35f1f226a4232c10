import LXDAPI

extension InstancesAPI {
    /// `POST /1.0/instances/NAME` with `pool` (`lxc move --storage`), on this server.
    func instancePoolMove(_ name: String, _ post: InstancePost, _ request: APIRequest) async throws -> APIResponse {
        let newName = post.name.isEmpty ? name : post.name
        if newName != name { try InstanceName.validate(newName) }
        let instances = state.instances
        let requestor = request.requestor
        let operation = state.operations.run(description: "Migrating instance", resources: Self.resources(name)) { _ in
            try await instances.moveToPool(name, to: newName, pool: post.pool, instanceOnly: post.instanceOnly, requestor: requestor)
            return nil
        }
        return .async(operation)
    }
}
