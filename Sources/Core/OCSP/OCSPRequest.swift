import SwiftASN1
import X509

// RFC 6960 §4.1.1:
//
// OCSPRequest     ::=     SEQUENCE {
//     tbsRequest                  TBSRequest,
//     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//
// TBSRequest      ::=     SEQUENCE {
//     version             [0]     EXPLICIT Version DEFAULT v1,
//     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
//     requestList                 SEQUENCE OF Request,
//     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
//
// Signature       ::=     SEQUENCE {
//     signatureAlgorithm      AlgorithmIdentifier,
//     signature               BIT STRING,
//     certs               [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL}
//
// Version         ::=             INTEGER  {  v1(0) }
//
// Request         ::=     SEQUENCE {
//     reqCert                     CertID,
//     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
//
// CertID: see CertID.swift. Extensions (RFC 5280 §4.1):
//
// Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
// Extension  ::=  SEQUENCE  { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }

/// A parsed OCSP request: the certificates asked about and the nonce to echo.
///
/// Every failure is a `CAError(.invalidInput)` whose message says what is wrong; a responder answers any of
/// them with ``OCSPResponse/error(_:)`` and ``OCSPResponseStatus/malformedRequest``.
///
/// A signed request is accepted and its signature is not checked: RFC 6960 §4.1.2 makes signing optional,
/// and a responder that answers anyone about public certificates learns nothing from who asks. The
/// requestorName is ignored for the same reason.
public struct OCSPRequest: Sendable {
    /// The most CertIDs one request may carry; more make the request malformed. Clients ask about one
    /// certificate (RFC 5019 §2.1.1 allows only one), so the limit only bounds the work a hostile request
    /// can cause: each CertID costs a status lookup and space in the signed response.
    public static let maximumCertIDCount = 100

    /// The certificates asked about, in request order; never empty.
    public let certIDs: [OCSPCertID]
    /// The content of the nonce extension's extnValue: the DER OCTET STRING (tag, length and 1 to 32
    /// octets) the response must repeat byte for byte. `nil` without a nonce extension.
    public let nonce: [UInt8]?

    /// Parses a DER OCSPRequest, as POSTed or base64-encoded in a GET URL.
    ///
    /// Request extensions other than the nonce are ignored unless critical (RFC 6960 §4.4: "Unrecognized
    /// extensions MUST be ignored (unless they have the critical flag set and are not understood)"); a
    /// critical one makes the request malformed. The same holds for singleRequestExtensions.
    ///
    /// - Throws: `CAError(.invalidInput)` for anything that is not a well-formed request: bad DER, no CertID
    ///   or more than ``maximumCertIDCount``, a CertID hash other than SHA-1 or SHA-2, a version other than
    ///   v1, a nonce outside 1 to 32 octets or repeated, an unknown critical extension.
    public init(derEncoded bytes: [UInt8]) throws {
        let root = try OCSPParsing.malformedIfFailing("OCSPRequest") { try DER.parse(bytes) }
        let tbsRequest = try OCSPParsing.malformedIfFailing("OCSPRequest") {
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let tbsRequest = nodes.next() else {
                    throw CAError(.invalidInput, "the OCSP request is malformed: it is empty")
                }
                // optionalSignature: deliberately not verified, see above.
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
                return tbsRequest
            }
        }
        (certIDs, nonce) = try OCSPParsing.malformedIfFailing("TBSRequest") {
            try DER.sequence(tbsRequest, identifier: .sequence) { nodes in
                let version = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try Int(derEncoded: $0)
                }
                // DER leaves out the default v1, but some clients write it.
                guard version == nil || version == 0 else {
                    throw CAError(.invalidInput, "the OCSP request is malformed: version \(version ?? 0) is not v1")
                }
                _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
                guard let requestList = nodes.next() else {
                    throw CAError(.invalidInput, "the OCSP request is malformed: it has no request list")
                }
                let certIDs = try Self.certIDs(in: requestList)
                let nonce = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                    try Self.nonce(in: $0)
                }
                return (certIDs, nonce ?? nil)
            }
        }
    }

    private static func certIDs(in requestList: ASN1Node) throws -> [OCSPCertID] {
        let certIDs = try DER.sequence(requestList, identifier: .sequence) { nodes in
            var certIDs: [OCSPCertID] = []
            while let request = nodes.next() {
                // Checked before parsing, so that a request with thousands of CertIDs costs no more than one
                // with a hundred.
                guard certIDs.count < maximumCertIDCount else {
                    throw CAError(
                        .invalidInput,
                        "the OCSP request is malformed: it asks about more than \(maximumCertIDCount) certificates")
                }
                certIDs.append(try certID(in: request))
            }
            return certIDs
        }
        guard !certIDs.isEmpty else {
            throw CAError(.invalidInput, "the OCSP request is malformed: it asks about no certificate")
        }
        return certIDs
    }

    private static func certID(in request: ASN1Node) throws -> OCSPCertID {
        try DER.sequence(request, identifier: .sequence) { nodes in
            guard let certIDNode = nodes.next() else {
                throw CAError(.invalidInput, "the OCSP request is malformed: a Request has no CertID")
            }
            let certID = try OCSPCertID(node: certIDNode)
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { extensions in
                for unknown in try OCSPParsing.extensions(extensions) {
                    try OCSPParsing.rejectIfCritical(unknown)
                }
            }
            return certID
        }
    }

    /// The nonce's extnValue among the requestExtensions, if there is one.
    private static func nonce(in requestExtensions: ASN1Node) throws -> [UInt8]? {
        var nonce: [UInt8]?
        for requestExtension in try OCSPParsing.extensions(requestExtensions) {
            guard requestExtension.oid == OCSPNonce.oid else {
                try OCSPParsing.rejectIfCritical(requestExtension)
                continue
            }
            // RFC 5280 §4.2: an extension appears at most once; two nonces leave nothing sound to echo.
            guard nonce == nil else {
                throw CAError(.invalidInput, "the OCSP request is malformed: it has two nonces")
            }
            nonce = try OCSPNonce.validated(extensionValue: requestExtension.value)
        }
        return nonce
    }
}

/// Parsing plumbing shared by the OCSP request types.
enum OCSPParsing {
    /// Runs `parse` and reports a swift-asn1 failure as a malformed request, naming the structure where it
    /// happened; a `CAError` thrown deeper already says more and passes through.
    static func malformedIfFailing<Value>(_ structure: String, _ parse: () throws -> Value) throws -> Value {
        do {
            return try parse()
        } catch let error as CAError {
            throw error
        } catch {
            throw CAError(.invalidInput, "the OCSP request is malformed: its \(structure) is not valid DER")
        }
    }

    static func extensions(_ node: ASN1Node) throws -> [Certificate.Extension] {
        try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
    }

    static func rejectIfCritical(_ requestExtension: Certificate.Extension) throws {
        guard !requestExtension.critical else {
            throw CAError(
                .invalidInput,
                "the OCSP request is malformed: it has the critical extension \(requestExtension.oid), "
                    + "which this responder does not understand")
        }
    }
}
