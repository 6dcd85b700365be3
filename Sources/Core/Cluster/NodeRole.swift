/// What a `swift-ca serve` node does. Nodes share nothing but the database (and, for `all`, the key directory).
public enum NodeRole: String, Sendable, CaseIterable {
    /// Everything, including signing with CA keys and the jobs that need them (CRLs, responder keys).
    case all
    /// OCSP, CRLs, issuer certificates and ACME without any CA private key: it answers OCSP with its responder
    /// keys if it has them, else with the pre-signed responses in the database; a request that needs a CA
    /// signature is refused with an error naming the role.
    case `public`
}
