import Foundation
import Testing

/// A sandbox with a P-256 root CA enabled for the API, a user per role with a token each, and a running
/// server: what every REST API test starts from.
final class APIFixture {
    let sandbox: Sandbox
    var server: RunningServer!
    let rootSerial: String
    let rootPEM: String
    var tokens: [String: String] = [:]
    static let password = "correct horse battery"

    init(startServer: Bool = true, serverArguments: [String] = []) throws {
        sandbox = try Sandbox()
        // bcrypt at its lowest cost: the tests check behaviour, not the hash's strength.
        sandbox.extraEnvironment["CA_PASSWORD_HASH_COST"] = "4"
        try sandbox.expectSuccess("init-ca", "Root", "CN=API Root", "--key-type", "EC", "--api-enable")
        rootSerial = try sandbox.expectSuccess("view-ca", "Root", "--output-format", "serial")
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "")
        rootPEM = try sandbox.write(try sandbox.expectSuccess("view-ca", "Root", "--output-format", "pem"), to: "root.pem")
        for role in ["admin", "operator", "viewer"] {
            try sandbox.expectSuccess("create-user", role + "-user", "--password", Self.password, "--role", role)
            tokens[role] = try sandbox.expectSuccess("create-token", role + "-user").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if startServer { server = try RunningServer(sandbox, arguments: serverArguments) }
    }

    func bearer(_ role: String) -> [String] { ["-H", "Authorization: Bearer \(tokens[role] ?? "")"] }

    func basic(_ role: String, password: String = APIFixture.password) -> [String] { ["-u", "\(role)-user:\(password)"] }

    /// One request through curl; `body` is JSON-encoded unless it is already a string.
    func call(_ method: String, _ path: String, body: Any? = nil, auth: [String], base: String? = nil, name: String = "response")
        throws -> APICallResult
    {
        var arguments = ["-X", method] + auth
        if let body {
            let text: String
            if let string = body as? String {
                text = string
            } else {
                text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            }
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@" + (try sandbox.write(text, to: name + ".request.json"))]
        }
        let url = path.hasPrefix("http") ? path : (base ?? server.baseURL) + path
        let exchange = try HTTPExchange.run(sandbox, arguments + [url], saveAs: name + ".json")
        return APICallResult(exchange: exchange)
    }

    /// Signs through the API as `role` and returns the result.
    func sign(_ body: [String: Any], as role: String = "operator", base: String? = nil) throws -> APICallResult {
        try call("POST", "/api/ca/\(rootSerial)/sign/", body: body, auth: bearer(role), base: base, name: "sign")
    }

    func csrPEM(_ name: String) throws -> String {
        try String(contentsOfFile: try sandbox.makeCSR(name), encoding: .utf8)
    }

    func certificateCount() throws -> Int {
        try sandbox.expectSuccess("list-certs", "--expired", "--revoked").split(separator: "\n").count
    }
}

struct APICallResult {
    let exchange: HTTPExchange

    var status: Int { exchange.status }
    var headers: [String: String] { exchange.headers }
    var text: String { String(decoding: exchange.body, as: UTF8.self) }
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: exchange.body)) as? [String: Any] ?? [:] }
    var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: exchange.body)) as? [[String: Any]] ?? [] }
    var detail: String { object["detail"] as? String ?? "" }
}
