import ArgumentParser
import CAAccess
import CAAuthority
import CACore
import CAStore
import Foundation

/// Users and tokens of the web interface and the REST API. They are managed here only, so that nobody can
/// give themselves more rights from a browser.
extension AccessControl {
    convenience init(_ authority: Authority) {
        self.init(store: authority.store, settings: authority.settings.access)
    }
}

/// A password from `--password`, or asked twice on the terminal, or one line of standard input when it is not
/// a terminal (scripts: `echo "$PW" | swift-ca create-user NAME`).
enum UserPassword {
    static func read(_ option: String?) throws -> String {
        if let option { return option }
        if isatty(STDIN_FILENO) != 0 {
            guard let first = TerminalPrompt.password("Password: "), let second = TerminalPrompt.password("Password (again): ") else {
                throw CAError(.invalidInput, "no password was entered")
            }
            guard first == second else { throw CAError(.invalidInput, "the two passwords differ") }
            return first
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw CAError(.invalidInput, "give --password, or the password on standard input")
        }
        return line
    }
}

struct CreateUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-user", abstract: "Add a user of the web interface and the REST API.", aliases: ["create_user"])

    @Argument(help: "User name: letters, digits and @ . + - _") var name: String
    @Option(help: "The password (default: asked on the terminal, or read from standard input).") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @Option(help: "admin (everything), operator (view, sign, revoke) or viewer (view). Default: viewer.") var role = "viewer"

    func run() async throws {
        try await CommandRunner.run { authority in
            let role = try Role(parsing: role)
            let user = try await AccessControl(authority).createUser(name: name, password: try UserPassword.read(try passwordFile.password(or: password)), role: role)
            print("\(user.name) (\(user.role.rawValue))")
        }
    }
}

struct ListUsers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-users", abstract: "List users as NAME ROLE CREATED.", aliases: ["list_users"])

    func run() async throws {
        try await CommandRunner.run { authority in
            for user in try await AccessControl(authority).users() {
                print("\(user.name)\t\(user.role.rawValue)\t\(Presentation.dateText(user.createdAt))")
            }
        }
    }
}

struct DeleteUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-user", abstract: "Delete a user with its API tokens and sessions.", aliases: ["delete_user"])

    @Argument var name: String

    func run() async throws {
        try await CommandRunner.run { authority in
            try await AccessControl(authority).deleteUser(name)
            print("deleted \(name)")
        }
    }
}

struct SetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-password", abstract: "Change a user's password (and role); ends the user's web sessions.",
        aliases: ["set_password", "changepassword"])

    @Argument var name: String
    @Option(help: "The new password (default: asked on the terminal, or read from standard input).") var password: String?
    @OptionGroup var passwordFile: PasswordFileOption
    @Option(help: "Also change the role: admin, operator or viewer.") var role: String?
    @Flag(help: "Change only the role, not the password.") var keepPassword = false

    func run() async throws {
        try await CommandRunner.run { authority in
            let access = AccessControl(authority)
            if let role { try await access.setRole(name, role: try Role(parsing: role)) }
            if !keepPassword { try await access.setPassword(name, password: try UserPassword.read(try passwordFile.password(or: password))) }
            print("changed \(name)")
        }
    }
}

struct CreateToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-token",
        abstract: "Create an API token for a user; it is printed once and acts with the user's role.",
        aliases: ["create_token"])

    @Argument(help: "The user the token acts for.") var user: String
    @Option(help: "What the token is for, shown in list-tokens.") var label = ""
    @Option(help: "Days until the token expires (default: never).") var expires: Int?

    func run() async throws {
        try await CommandRunner.run { authority in
            let created = try await AccessControl(authority).createToken(user: user, label: label, expiresDays: expires)
            print(created.token.text)
        }
    }
}

struct ListTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-tokens", abstract: "List API tokens as ID USER CREATED EXPIRES LABEL (never the secrets).",
        aliases: ["list_tokens"])

    @Option(help: "Only this user's tokens.") var user: String?

    func run() async throws {
        try await CommandRunner.run { authority in
            for token in try await AccessControl(authority).tokens(user: user) {
                let expires = token.expiresAt.map(Presentation.dateText) ?? "never"
                print("\(token.id)\t\(token.userName)\t\(Presentation.dateText(token.createdAt))\t\(expires)\t\(token.label)")
            }
        }
    }
}

struct DeleteToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-token", abstract: "Revoke an API token by its id (from list-tokens).", aliases: ["delete_token"])

    @Argument var id: String

    func run() async throws {
        try await CommandRunner.run { authority in
            try await AccessControl(authority).deleteToken(id)
            print("deleted token \(id)")
        }
    }
}

struct AuditLog: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-log",
        abstract: "Show who signed, revoked and changed what, newest first: TIME ACTOR SOURCE ACTION TARGET DETAIL.",
        aliases: ["audit_log"])

    @Option(help: "Only entries of this user (or cli:NAME, acme:ACCOUNT).") var actor: String?
    @Option(help: "Only this action: sign, resign, revoke, edit-ca, watchers, login, login-failed, ...") var action: String?
    @Option(help: "Only entries about this certificate or CA serial, or user.") var target: String?
    @Option(help: "Only entries since this ISO 8601 time.") var since: String?
    @Option(help: "At most this many entries (default 100).") var limit = 100
    @Flag(help: "One JSON object per line.") var json = false

    func run() async throws {
        try await CommandRunner.run { authority in
            guard limit > 0 else { throw CAError(.invalidInput, "--limit must be at least 1") }
            var filter = AuditFilter()
            filter.actor = actor
            filter.action = action
            filter.target = target.map { SerialNumberText.normalize($0) ?? $0 }
            filter.since = try since.map { try Authority.parseTime($0, option: "--since") }
            filter.limit = limit
            var sink = OutputSink()
            for entry in try await authority.auditEntries(filter) {
                if json {
                    let object: [String: String] = [
                        "id": String(entry.id), "time": Presentation.dateText(entry.at), "actor": entry.actor,
                        "source": entry.source, "action": entry.action, "target": entry.target, "detail": entry.detail,
                    ]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    sink.line(String(decoding: data, as: UTF8.self))
                } else {
                    sink.line(
                        [Presentation.dateText(entry.at), entry.actor, entry.source, entry.action, entry.target, entry.detail]
                            .joined(separator: "\t"))
                }
            }
            try sink.finish()
        }
    }
}
