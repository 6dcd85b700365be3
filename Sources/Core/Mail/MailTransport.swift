/// Delivers mail. The authority's notification job talks to this protocol only, so that it stays free of
/// NIO; `SMTPTransport` (module CAMail) is the implementation, tests may bring their own.
public protocol MailTransport: Sendable {
    /// Returns once the server accepted the message for every recipient; throws `MailDeliveryError` otherwise.
    func send(_ message: MailMessage) async throws(MailDeliveryError)
}

/// Why a message was not delivered, and whether trying other messages now is worthwhile.
public struct MailDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Scope: Sendable, Equatable {
        /// The server refused this message (a recipient, the sender, the content): others may still go.
        case message
        /// The server cannot be reached or used (connection, TLS, authentication, timeout): every other
        /// message of the run would fail the same way, so the run stops and the next one retries.
        case server
    }

    public let scope: Scope
    /// One line, fit for a log; never contains a password.
    public let message: String

    public init(_ scope: Scope, _ message: String) {
        self.scope = scope
        self.message = message
    }

    public var description: String { message }
}
