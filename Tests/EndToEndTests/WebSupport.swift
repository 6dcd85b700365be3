import Foundation
import Testing

/// A sandbox with a root CA, an intermediate limited to example.com, three users (one per role) and a
/// running server, for the web interface's tests.
final class WebInstallation {
    let sandbox: Sandbox
    let server: RunningServer
    let rootFile: String
    static let password = "correct horse battery"

    init(loginAttempts: Int = 5) throws {
        sandbox = try Sandbox()
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        sandbox.extraEnvironment["CA_LOGIN_ATTEMPTS"] = String(loginAttempts)
        // CA URLs in signed certificates (AIA, CRL distribution points), as a real installation has them.
        sandbox.extraEnvironment["CA_DEFAULT_HOSTNAME"] = "ca.example.com"
        try sandbox.expectSuccess("init-ca", "Root", "CN=Web Root", "--path-length", "1", "--key-type", "EC")
        try sandbox.expectSuccess(
            "init-ca", "Intermediate", "CN=Web Intermediate", "--parent", "Root", "--key-type", "EC", "--permit-name", "DNS:example.com")
        for role in ["admin", "operator", "viewer"] {
            try sandbox.expectSuccess("create-user", role, "--password", Self.password, "--role", role)
        }
        rootFile = try sandbox.write(try sandbox.expectSuccess("dump-ca", "Root"), to: "root.pem")
        server = try RunningServer(sandbox)
    }

    /// Signs through the command line; returns the serial without colons.
    func signWithCLI(_ name: String, profile: String = "webserver", ca: String = "Intermediate") throws -> String {
        let csr = try sandbox.makeCSR(name)
        try sandbox.expectSuccess("sign-cert", "--ca", ca, "--csr", csr, "--alt", name, "--profile", profile)
        return try serial(of: name)
    }

    /// A CA's serial without colons, from `list-cas` (SERIAL - name).
    func authoritySerial(_ name: String) throws -> String {
        let line = try sandbox.expectSuccess("list-cas").split(separator: "\n").first { $0.hasSuffix(" - " + name) }
        return line.map { String($0.split(separator: " ")[0]).replacingOccurrences(of: ":", with: "") } ?? ""
    }

    func serial(of commonName: String) throws -> String {
        try sandbox.expectSuccess("view-cert", commonName, "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
    }

    /// The serials `list-certs` prints (all statuses), to prove that nothing was issued.
    func storedSerials() throws -> Set<String> {
        let output = try sandbox.expectSuccess("list-certs", "--expired", "--revoked")
        return Set(output.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first.map { $0.replacingOccurrences(of: ":", with: "") }
        })
    }
}

/// A browser-like HTTP client on curl with its own cookie jar.
final class WebClient {
    let installation: WebInstallation
    let jar: String
    private var counter = 0

    init(_ installation: WebInstallation) {
        self.installation = installation
        jar = installation.sandbox.path("jar-\(UUID().uuidString)")
    }

    var base: String { installation.server.baseURL }

    func get(_ path: String) throws -> HTTPExchange {
        try exchange(["-b", jar, "-c", jar, base + path])
    }

    /// A urlencoded POST of `fields` (name, value pairs, so that names may repeat).
    func post(_ path: String, _ fields: [(String, String)]) throws -> HTTPExchange {
        var arguments = ["-b", jar, "-c", jar, "-X", "POST"]
        if fields.isEmpty { arguments += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data", ""] }
        for (name, value) in fields { arguments += ["--data-urlencode", "\(name)=\(value)"] }
        return try exchange(arguments + [base + path])
    }

    func exchange(_ arguments: [String]) throws -> HTTPExchange {
        counter += 1
        return try HTTPExchange.run(installation.sandbox, arguments, saveAs: "web-\(UUID().uuidString)-\(counter)")
    }

    /// Logs in through the form; returns the POST's answer.
    @discardableResult
    func login(_ user: String, password: String = WebInstallation.password) throws -> HTTPExchange {
        let form = try get("/admin/login")
        return try post("/admin/login", [("csrf", Self.csrfToken(in: form.text) ?? ""), ("username", user), ("password", password)])
    }

    /// The CSRF token of the page at `path` (every page of a session has the logout form).
    func csrfToken(from path: String = "/admin/") throws -> String {
        let page = try get(path)
        return Self.csrfToken(in: page.text) ?? ""
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

extension HTTPExchange {
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The serials of the certificate rows on a list page.
    var listedSerials: Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let range = rest.range(of: "data-serial=\"") {
            rest = rest[range.upperBound...]
            if let end = rest.firstIndex(of: "\"") { found.insert(String(rest[..<end])) }
        }
        return found
    }
}

extension HTTPExchange {
    /// Every `Set-Cookie` line (the header dictionary keeps only one).
    var setCookies: [String] {
        let text = (try? String(contentsOfFile: bodyFile + ".headers", encoding: .utf8)) ?? ""
        return text.split(separator: "\r\n").filter { $0.lowercased().hasPrefix("set-cookie:") }
            .map { String($0.dropFirst("set-cookie:".count)).trimmingCharacters(in: .whitespaces) }
    }
}
