import Foundation

/// `POST /1.0/instances/NAME/console` (LXD's `api.InstanceConsolePost`).
public struct InstanceConsolePost: Sendable, Codable, Equatable {
    public var width: Int
    public var height: Int
    /// `console` (the default when empty) or `vga` (virtual machines only).
    public var type: String

    public init(width: Int = 0, height: Int = 0, type: String = "console") {
        self.width = width
        self.height = height
        self.type = type
    }

    enum CodingKeys: String, CodingKey { case width, height, type }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.lenient(.width, 0)
        height = try c.lenient(.height, 0)
        type = try c.lenient(.type, "")
    }
}

/// A message on a console's control websocket (LXD's `api.InstanceConsoleControl`):
/// `{"command":"window-resize","args":{"width":"80","height":"24"}}`.
public struct InstanceConsoleControl: Sendable, Codable, Equatable {
    public var command: String
    public var args: [String: String]

    public init(command: String, args: [String: String] = [:]) {
        self.command = command
        self.args = args
    }

    enum CodingKeys: String, CodingKey { case command, args }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.lenient(.command, "")
        args = try c.lenient(.args, [:])
    }
}
