// ACME load driver, compiled so that the client takes little of the machine's two cores: N complete orders
// (newOrder -> authorization -> http-01 challenge -> poll -> finalize with a fresh P-256 CSR -> download)
// from W concurrent workers. All workers share one account key, so the http-01 responder is stateless (it
// answers any token with token "." thumbprint). Works against swift-ca (HTTP) and pebble (HTTPS; the test
// certificate is not verified).
//
// usage: swift-ca-acme-load DIRECTORY_URL ORDERS WORKERS RESPONDER_PORT SERVER_PID
// prints: acme orders: N in T s = R orders/s, server CPU C ms/order, order latency p50/p99 (W workers)
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOSSL
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#endif

struct DriverError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func base64URL<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

struct AccountKey: Sendable {
    let key: P256.Signing.PrivateKey

    var jwk: [String: String] {
        let raw = key.publicKey.rawRepresentation
        return ["crv": "P-256", "kty": "EC", "x": base64URL(raw.prefix(32)), "y": base64URL(raw.suffix(32))]
    }

    /// RFC 7638: SHA-256 over the members in lexicographic order, without spaces.
    var thumbprint: String {
        let members = jwk
        let canonical = "{\"crv\":\"\(members["crv"]!)\",\"kty\":\"\(members["kty"]!)\",\"x\":\"\(members["x"]!)\",\"y\":\"\(members["y"]!)\"}"
        return base64URL(SHA256.hash(data: Data(canonical.utf8)))
    }
}

/// One worker's session: its nonce and account URL.
final class Session {
    let client: HTTPClient
    let key: AccountKey
    let directory: [String: Any]
    var nonce = ""
    var accountURL: String?

    init(client: HTTPClient, key: AccountKey, directoryURL: String) async throws {
        self.client = client
        self.key = key
        let (_, body, _) = try await Self.send(client, "GET", directoryURL)
        directory = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
        let (_, _, headers) = try await Self.send(client, "HEAD", directory["newNonce"] as? String ?? "")
        nonce = headers["replay-nonce"] ?? ""
    }

    static func send(_ client: HTTPClient, _ method: String, _ url: String, body: [UInt8]? = nil) async throws
        -> (status: Int, body: [UInt8], headers: [String: String])
    {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/jose+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return (Int(response.status.code), Array(collected.readableBytesView), headers)
    }

    /// A JWS-signed POST (RFC 8555 §6.2); nil payload is POST-as-GET.
    func post(_ url: String, _ payload: Any?) async throws -> (object: [String: Any], body: [UInt8], headers: [String: String]) {
        var protected: [String: Any] = ["alg": "ES256", "nonce": nonce, "url": url]
        if let accountURL { protected["kid"] = accountURL } else { protected["jwk"] = key.jwk }
        let encodedProtected = base64URL(try JSONSerialization.data(withJSONObject: protected))
        let encodedPayload = try payload.map { base64URL(try JSONSerialization.data(withJSONObject: $0)) } ?? ""
        let signature = try key.key.signature(for: Data("\(encodedProtected).\(encodedPayload)".utf8))
        let jws = ["protected": encodedProtected, "payload": encodedPayload, "signature": base64URL(signature.rawRepresentation)]
        let (status, body, headers) = try await Self.send(client, "POST", url, body: Array(try JSONSerialization.data(withJSONObject: jws)))
        nonce = headers["replay-nonce"] ?? nonce
        guard status < 400 else { throw DriverError("\(url): \(status) \(String(decoding: body, as: UTF8.self))") }
        let object = (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
        return (object, body, headers)
    }

    func register() async throws {
        let (_, _, headers) = try await post(directory["newAccount"] as? String ?? "", ["termsOfServiceAgreed": true])
        accountURL = headers["location"]
    }

    func order(_ name: String) async throws {
        let created = try await post(directory["newOrder"] as? String ?? "", ["identifiers": [["type": "dns", "value": name]]])
        guard let orderURL = created.headers["location"], let authorizations = created.object["authorizations"] as? [String],
            let finalizeURL = created.object["finalize"] as? String
        else { throw DriverError("newOrder answered without location, authorizations or finalize") }
        let authorization = try await post(authorizations[0], nil).object
        let challenges = authorization["challenges"] as? [[String: Any]] ?? []
        guard let challenge = challenges.first(where: { $0["type"] as? String == "http-01" })?["url"] as? String else {
            throw DriverError("no http-01 challenge")
        }
        _ = try await post(challenge, [String: String]())
        var order = try await post(orderURL, nil).object
        while order["status"] as? String == "pending" {
            try await Task.sleep(nanoseconds: 2_000_000)
            order = try await post(orderURL, nil).object
        }
        guard order["status"] as? String == "ready" else { throw DriverError("order \(orderURL) is \(order["status"] ?? "?")") }
        order = try await post(finalizeURL, ["csr": base64URL(try Self.csr(for: name))]).object
        // pebble signs after answering (the order is "processing"); swift-ca answers once the certificate is stored.
        while order["status"] as? String == "processing" {
            try await Task.sleep(nanoseconds: 2_000_000)
            order = try await post(orderURL, nil).object
        }
        guard order["status"] as? String == "valid", let certificateURL = order["certificate"] as? String else {
            throw DriverError("order \(orderURL) is \(order["status"] ?? "?") after finalize")
        }
        let chain = String(decoding: try await post(certificateURL, nil).body, as: UTF8.self)
        guard chain.components(separatedBy: "BEGIN CERTIFICATE").count > 2 else { throw DriverError("the download has no chain") }
    }

    static func csr(for name: String) throws -> [UInt8] {
        let key = P256.Signing.PrivateKey()
        let extensions = try Certificate.Extensions { SubjectAlternativeNames([.dnsName(name)]) }
        let request = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName(name) }, privateKey: .init(key),
            attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: extensions))]),
            signatureAlgorithm: .ecdsaWithSHA256)
        var serializer = DER.Serializer()
        try serializer.serialize(request)
        return serializer.serializedBytes
    }
}

/// Answers every http-01 request with token "." thumbprint, one thread per connection.
func startResponder(port: Int, thumbprint: String) throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(listener, 128) == 0 else { throw DriverError("the responder cannot listen on \(port)") }
    Thread.detachNewThread {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            Thread.detachNewThread {
                defer { close(connection) }
                var request: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
                    let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { return }
                    request += chunk[..<count]
                }
                let path = String(decoding: request, as: UTF8.self).split(separator: " ").dropFirst().first ?? ""
                let token = path.split(separator: "/").last.map(String.init) ?? ""
                let body = "\(token).\(thumbprint)"
                let response = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
                _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }
}

func cpuSeconds(_ pid: Int) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let end = text.range(of: ")", options: .backwards)
    else { return 0 }
    let fields = text[end.upperBound...].split(separator: " ")
    return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

let arguments = CommandLine.arguments
guard arguments.count == 6, let orders = Int(arguments[2]), let workers = Int(arguments[3]), let responderPort = Int(arguments[4]),
    let serverPID = Int(arguments[5])
else {
    FileHandle.standardError.write(Data("usage: swift-ca-acme-load DIRECTORY_URL ORDERS WORKERS RESPONDER_PORT SERVER_PID\n".utf8))
    exit(2)
}
let directoryURL = arguments[1]
let key = AccountKey(key: P256.Signing.PrivateKey())
try startResponder(port: responderPort, thumbprint: key.thumbprint)
var configuration = HTTPClient.Configuration()
var tls = TLSConfiguration.makeClientConfiguration()
tls.certificateVerification = .none
configuration.tlsConfiguration = tls
configuration.httpVersion = .http1Only
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: workers + 2)
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

// Warm-up: one order, not timed.
let warmUp = try await Session(client: client, key: key, directoryURL: directoryURL)
try await warmUp.register()
try await warmUp.order("warm-up-\(getpid()).bench.test")

let cpuBefore = cpuSeconds(serverPID)
let started = Date()
let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
    for worker in 0..<workers {
        let share = orders / workers + (worker < orders % workers ? 1 : 0)
        group.addTask {
            let session = try await Session(client: client, key: key, directoryURL: directoryURL)
            try await session.register()
            var measured: [Double] = []
            for number in 0..<share {
                let begun = Date()
                try await session.order("w\(worker)-\(number)-\(getpid()).bench.test")
                measured.append(Date().timeIntervalSince(begun))
            }
            return measured
        }
    }
    var all: [Double] = []
    for try await part in group { all += part }
    return all.sorted()
}
let elapsed = Date().timeIntervalSince(started)
let cpu = cpuSeconds(serverPID) - cpuBefore
try await client.shutdown().get()
let p50 = latencies[latencies.count / 2] * 1000
let p99 = latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))] * 1000
print(String(
    format: "acme orders: %d in %.1f s = %.0f orders/s, server CPU %.2f ms/order, order latency p50 %.0f ms p99 %.0f ms (%d workers, compiled driver)",
    orders, elapsed, Double(orders) / elapsed, cpu / Double(orders) * 1000, p50, p99, workers))
