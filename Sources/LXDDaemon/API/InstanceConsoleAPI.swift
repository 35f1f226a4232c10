import Foundation
import LXDAPI
import LXDHTTP

/// `/1.0/instances/NAME/console` (LXD's instance_console.go): attach to the console over
/// websockets, read its log, clear it.
struct InstanceConsoleAPI: Sendable {
    let state: DaemonState

    private var instances: InstanceManager { state.instances }

    func instanceConsolePost(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        var post = try request.decode(InstanceConsolePost.self)
        if post.type.isEmpty { post.type = "console" }
        guard ["console", "vga"].contains(post.type) else { throw LXDError.badRequest("Unknown console type \"\(post.type)\"") }
        _ = try await instances.record(name)
        if post.type == "vga" { throw LXDError.badRequest("VGA console is only supported by virtual machines") }
        switch await instances.status(name) {
        case .running: break
        case .frozen: throw LXDError.badRequest("Instance is frozen")
        default: throw LXDError.badRequest("Instance is not running")
        }
        let session = try ConsoleSession()
        let instances = self.instances
        let (width, height) = (post.width, post.height)
        let operation = state.operations.run(
            .websocket, description: "Showing console", resources: InstancesAPI.resources(name),
            metadata: .object(["fds": session.fdsMetadata]), webSocketHandler: session
        ) { _ in
            try await instances.attachConsole(name, session: session, width: width, height: height)
            return nil
        }
        return .async(operation)
    }

    /// The log as a download: the ring buffer's content (running), else the console.log file.
    func instanceConsoleLogGet(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        let (bytes, file) = try await instances.consoleLog(name)
        var headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
        headers["Last-Modified"] = HTTPDates.http(Date())
        if let bytes {
            headers["Content-Disposition"] = "inline;filename="
            return .raw(status: 200, headers: headers, body: Data(bytes))
        }
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LXDError.internalError("open \(file): \(ForkFileReply.goErrorText(errno))") }
        headers["Content-Disposition"] = "inline;filename=" + file
        return .descriptor(ReceivedFile(fd), headers: headers)
    }

    func instanceConsoleLogDelete(_ request: APIRequest) async throws -> APIResponse {
        let name = request.parameter("name")
        if name.contains("/") { throw LXDError.badRequest("Invalid instance name") }
        try await instances.clearConsoleLog(name)
        return .emptyObject
    }
}
