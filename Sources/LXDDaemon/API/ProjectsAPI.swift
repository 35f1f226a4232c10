import Foundation
import LXDAPI

/// `/1.0/projects`, read-only: the daemon has the `default` project only (LXD's client lists
/// projects when adding a remote). A restricted certificate sees the projects it may use.
struct ProjectsAPI: Sendable {
    let state: DaemonState

    private func defaultProject() async throws -> Project {
        var usedBy: [String] = []
        usedBy += try await state.database.instanceNames().sorted().map { "/1.0/instances/\($0)" }
        usedBy += try await state.database.images().map { "/1.0/images/\($0.fingerprint)" }.sorted()
        usedBy += try await state.database.profiles().map { "/1.0/profiles/\($0.name)" }
        return Project(
            name: "default", description: "Default LXD project",
            config: [
                "features.images": "true", "features.networks": "true", "features.profiles": "true", "features.storage.volumes": "true",
            ],
            usedBy: usedBy)
    }

    func projectsGet(_ request: APIRequest) async throws -> APIResponse {
        let visible = request.trust.allowsProject("default")
        if request.recursion > 0 { return .sync(visible ? [try await defaultProject()] : []) }
        return .sync(visible ? ["/1.0/projects/default"] : [])
    }

    func projectGet(_ request: APIRequest) async throws -> APIResponse {
        guard request.parameter("name") == "default" else { throw LXDError.notFound("Project not found") }
        guard request.trust.allowsProject("default") else { throw LXDError.forbidden() }
        let project = try await defaultProject()
        return .sync(project, etag: ETag.of(project.config))
    }
}
