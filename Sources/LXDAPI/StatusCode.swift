/// LXD's status codes for operations and instances (`status_code` on the wire).
public enum StatusCode: Int, Sendable, Codable, CaseIterable {
    case operationCreated = 100
    case started = 101
    case stopped = 102
    case running = 103
    case cancelling = 104
    case pending = 105
    case starting = 106
    case stopping = 107
    case aborting = 108
    case freezing = 109
    case frozen = 110
    case thawed = 111
    case error = 112
    case ready = 113
    case success = 200
    case failure = 400
    case cancelled = 401

    /// The text LXD puts in `status` next to the code.
    public var text: String {
        switch self {
        case .operationCreated: "Operation created"
        case .started: "Started"
        case .stopped: "Stopped"
        case .running: "Running"
        case .cancelling: "Cancelling"
        case .pending: "Pending"
        case .starting: "Starting"
        case .stopping: "Stopping"
        case .aborting: "Aborting"
        case .freezing: "Freezing"
        case .frozen: "Frozen"
        case .thawed: "Thawed"
        case .error: "Error"
        case .ready: "Ready"
        case .success: "Success"
        case .failure: "Failure"
        case .cancelled: "Cancelled"
        }
    }

    public var isFinal: Bool { self == .success || self == .failure || self == .cancelled }

    public init(from decoder: Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(Int.self)
        self = StatusCode(rawValue: raw) ?? .error
    }
}
