/// A liblxc call failed. `message` says what we were doing, `detail` is liblxc's own error
/// string when it recorded one.
public struct LXCError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var detail: String?

    public init(_ message: String, detail: String? = nil) {
        self.message = message
        self.detail = detail
    }

    public var description: String {
        guard let detail, !detail.isEmpty else { return message }
        return "\(message): \(detail)"
    }
}
