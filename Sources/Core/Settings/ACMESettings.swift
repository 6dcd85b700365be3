import Foundation

/// How the ACME server issues and validates (CA_ACME_*). The validation settings exist because a
/// validator connects to the names it validates: tests and closed networks point it at other ports, at a
/// static host map or at their own DNS server.
public struct ACMESettings: Sendable, Equatable {
    /// CA_ACME_DEFAULT_CERT_VALIDITY: days a certificate is valid when the order names no notAfter.
    public var defaultCertificateDays = 45
    /// CA_ACME_MAX_CERT_VALIDITY: the longest validity an order may ask for, in days.
    public var maximumCertificateDays = 90
    /// CA_ACME_ORDER_VALIDITY: seconds an order (and its authorizations) can be completed in.
    public var orderValidity: TimeInterval = 3_600
    /// CA_ACME_HTTP01_PORT: the port http-01 connects to (RFC 8555 says 80).
    public var http01Port = 80
    /// CA_ACME_TLSALPN01_PORT: the port tls-alpn-01 connects to (RFC 8737 says 443).
    public var tlsALPN01Port = 443
    /// CA_ACME_STATIC_HOSTS: names resolved without DNS, `name=address,name=address`; `*.example.test`
    /// stands for every name below example.test.
    public var staticHosts: [String: String] = [:]
    /// CA_ACME_DNS_SERVER: `host` or `host:port` asked for TXT, CAA and address records; without it the
    /// system resolver finds addresses, dns-01 cannot be validated and CAA is not checked.
    public var dnsServer: (host: String, port: Int)?
    /// CA_ACME_ALLOW_PRIVATE_ADDRESSES: validate names that resolve to loopback or private addresses.
    /// Off by default, so that an ACME client cannot make the CA probe its own network (SSRF).
    public var allowPrivateAddresses = false
    /// CA_ACME_VALIDATION_TIMEOUT: seconds one validation attempt may take, connection included.
    public var validationTimeout: TimeInterval = 10

    public init() {}

    public static func == (lhs: ACMESettings, rhs: ACMESettings) -> Bool {
        lhs.defaultCertificateDays == rhs.defaultCertificateDays && lhs.maximumCertificateDays == rhs.maximumCertificateDays
            && lhs.orderValidity == rhs.orderValidity && lhs.http01Port == rhs.http01Port && lhs.tlsALPN01Port == rhs.tlsALPN01Port
            && lhs.staticHosts == rhs.staticHosts && lhs.dnsServer?.host == rhs.dnsServer?.host
            && lhs.dnsServer?.port == rhs.dnsServer?.port && lhs.allowPrivateAddresses == rhs.allowPrivateAddresses
            && lhs.validationTimeout == rhs.validationTimeout
    }

    /// The address CA_ACME_STATIC_HOSTS gives a name: its own entry, else the wildcard entry of the closest
    /// parent domain.
    public func staticAddress(of name: String) -> String? {
        let name = name.lowercased()
        if let address = staticHosts[name] { return address }
        var labels = name.split(separator: ".").dropFirst()
        while !labels.isEmpty {
            if let address = staticHosts["*." + labels.joined(separator: ".")] { return address }
            labels = labels.dropFirst()
        }
        return nil
    }

    /// Parses CA_ACME_STATIC_HOSTS.
    static func parseStaticHosts(_ text: String) -> [String: String]? {
        var hosts: [String: String] = [:]
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            hosts[parts[0].lowercased()] = parts[1]
        }
        return hosts
    }

    /// Parses CA_ACME_DNS_SERVER: `host`, `host:port` or `[v6]:port`.
    static func parseServer(_ text: String) -> (host: String, port: Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, 53) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65_535).contains(port) else { return nil }
            return (host, port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1, !text.isEmpty { return (text, 53) }
        if parts.count > 2 { return (text, 53) }  // a bare IPv6 address
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else { return nil }
        return (String(parts[0]), port)
    }
}
