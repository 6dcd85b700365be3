import CACore
import Foundation

/// An RFC 7807 problem document with an RFC 8555 §6.7 error type.
public struct ACMEProblem: Error, Sendable {
    /// The part after `urn:ietf:params:acme:error:` (`badNonce`, `malformed`, ...).
    public let type: String
    public let detail: String
    public let status: Int
    /// For badSignatureAlgorithm: the algorithms the server accepts (RFC 8555 §6.2).
    public var algorithms: [String]?
    /// Extra headers, such as the terms-of-service link of userActionRequired.
    public var headers: [(String, String)] = []

    public init(_ type: String, _ detail: String, status: Int = 400) {
        self.type = type
        self.detail = detail
        self.status = status
    }

    static func malformed(_ detail: String) -> ACMEProblem { ACMEProblem("malformed", detail) }
    static func unauthorized(_ detail: String) -> ACMEProblem { ACMEProblem("unauthorized", detail, status: 403) }
    static func badNonce(_ detail: String) -> ACMEProblem { ACMEProblem("badNonce", detail) }
    static func notFound(_ detail: String) -> ACMEProblem { ACMEProblem("malformed", detail, status: 404) }
    static func orderNotReady(_ detail: String) -> ACMEProblem { ACMEProblem("orderNotReady", detail, status: 403) }

    /// An error of the issuance or revocation path, in ACME's terms: what the CA's policy refuses is
    /// `rejectedIdentifier`/`badCSR`, broken input `badCSR`, anything else the server's fault.
    init(_ error: CAError) {
        switch error.kind {
        case .invalidInput: self = ACMEProblem("badCSR", error.message)
        case .policy: self = ACMEProblem("rejectedIdentifier", error.message)
        default: self = ACMEProblem("serverInternal", "the CA could not complete the request: \(error.message)", status: 500)
        }
    }

    /// The problem as stored with a failed challenge or order, and shown in their `error` member.
    var jsonText: String { String(decoding: body, as: UTF8.self) }

    /// A stored problem document, for the `error` member of an order, authorization or challenge.
    static func storedObject(_ text: String?) -> [String: Any]? {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return object
    }

    init(_ error: JWSError) {
        var problem = ACMEProblem(error.failure == .unauthorized ? "unauthorized" : String(error.problemType.split(separator: ":").last ?? "malformed"),
                                  error.message, status: error.failure == .unauthorized ? 403 : 400)
        problem.algorithms = error.supportedAlgorithms
        self = problem
    }

    var body: [UInt8] {
        var object: [String: Any] = ["type": "urn:ietf:params:acme:error:" + type, "detail": detail, "status": status]
        if let algorithms { object["algorithms"] = algorithms }
        return ACMEJSON.encode(object)
    }
}

enum ACMEJSON {
    static func encode(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return [UInt8](data)
    }
}
