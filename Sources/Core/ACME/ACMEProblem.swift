import Foundation

/// The error types of RFC 8555 §6.7 (and RFC 9773's `alreadyReplaced`, RFC 8555bis's `invalidProfile`) that
/// swift-ca sends; each is the part after `urn:ietf:params:acme:error:`.
public enum ACMEProblemType: String, Sendable, CaseIterable {
    case accountDoesNotExist, alreadyReplaced, alreadyRevoked, badCSR, badNonce, badPublicKey, badRevocationReason
    case badSignatureAlgorithm, caa, conflict, connection, dns, externalAccountRequired, incorrectResponse
    case invalidContact, invalidProfile, malformed, orderNotReady, rateLimited, rejectedIdentifier, serverInternal
    case tls, unauthorized, unsupportedContact, unsupportedIdentifier, userActionRequired
}

/// An RFC 7807 problem document with an RFC 8555 §6.7 error type.
public struct ACMEProblem: Error, Sendable {
    public let type: ACMEProblemType
    public let detail: String
    public let status: Int
    /// For badSignatureAlgorithm: the algorithms the server accepts (RFC 8555 §6.2).
    public var algorithms: [String]?
    /// Extra headers, such as the terms-of-service link of userActionRequired.
    public var headers: [(String, String)] = []

    public init(_ type: ACMEProblemType, _ detail: String, status: Int = 400) {
        self.type = type
        self.detail = detail
        self.status = status
    }

    public static func malformed(_ detail: String) -> ACMEProblem { ACMEProblem(.malformed, detail) }
    public static func unauthorized(_ detail: String) -> ACMEProblem { ACMEProblem(.unauthorized, detail, status: 403) }
    public static func badNonce(_ detail: String) -> ACMEProblem { ACMEProblem(.badNonce, detail) }
    public static func notFound(_ detail: String) -> ACMEProblem { ACMEProblem(.malformed, detail, status: 404) }
    public static func orderNotReady(_ detail: String) -> ACMEProblem { ACMEProblem(.orderNotReady, detail, status: 403) }

    /// An error of the issuance or revocation path, in ACME's terms: what the CA's policy refuses is
    /// `rejectedIdentifier`/`badCSR`, broken input `badCSR`, anything else the server's fault.
    public init(_ error: CAError) {
        let status = error.kind.httpStatus
        switch error.kind {
        case .invalidInput: self = ACMEProblem(.badCSR, error.message, status: status)
        case .policy: self = ACMEProblem(.rejectedIdentifier, error.message, status: status)
        case .notFound: self = ACMEProblem(.malformed, error.message, status: status)
        case .rateLimited:
            self = ACMEProblem(.rateLimited, error.message, status: status)
            if let seconds = error.retryAfterSeconds { headers = [("Retry-After", String(seconds))] }
        default: self = ACMEProblem(.serverInternal, "the CA could not complete the request: \(error.message)", status: status)
        }
    }

    /// The problem as stored with a failed challenge or order, and shown in their `error` member.
    public var jsonText: String { String(decoding: body, as: UTF8.self) }

    /// A stored problem document, for the `error` member of an order, authorization or challenge.
    public static func storedObject(_ text: String?) -> [String: Any]? {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return object
    }

    public init(_ error: JWSError) {
        let named = ACMEProblemType(rawValue: String(error.problemType.split(separator: ":").last ?? "")) ?? .malformed
        var problem = ACMEProblem(error.failure == .unauthorized ? .unauthorized : named,
                                  error.message, status: error.failure == .unauthorized ? 403 : 400)
        problem.algorithms = error.supportedAlgorithms
        self = problem
    }

    public var body: [UInt8] {
        var object: [String: Any] = ["type": "urn:ietf:params:acme:error:" + type.rawValue, "detail": detail, "status": status]
        if let algorithms { object["algorithms"] = algorithms }
        return ACMEJSON.encode(object)
    }
}

public enum ACMEJSON {
    public static func encode(_ object: [String: Any]) -> [UInt8] {
        // Only the server's own objects come here, and they hold nothing JSON cannot.
        (try? JSONText.encode(object)) ?? Array("{}".utf8)
    }
}
