import Foundation

/// Who asked for a change and from where, as the audit log records it. The authority layer reads the
/// current one from a task-local value, so that every front end's sign, revoke and edit is recorded by the
/// one code path that performs it, without threading a parameter through every call.
public struct AuditActor: Sendable, Equatable {
    /// A user name, `acme:<account>` or `cli:<system user>`.
    public var name: String
    /// A remote address, or `command line`.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }

    /// Whoever runs the swift-ca command on this machine.
    public static var commandLine: AuditActor {
        let user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        return AuditActor(name: "cli:\(user)", source: "command line")
    }

    @TaskLocal public static var current: AuditActor = .commandLine
}
