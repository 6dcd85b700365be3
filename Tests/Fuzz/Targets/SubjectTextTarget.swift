import CACore

/// A subject as `--subject`, the REST API and the sign page take it (RFC 4514 or OpenSSL's `/C=…/CN=…`), and
/// the text it is shown as afterwards.
enum SubjectTextTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        guard let name = try? SubjectParser.parse(bytes.lenientText) else { return }
        _ = SubjectFormatter.format(name)
        _ = SubjectFormatter.commonName(of: name)
    }
}
