/// A plain error with a message, for low-level helpers whose callers add context.
public struct CoreError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
