import CACore

/// A general name as `--alt`, name constraints (`allowNetworks`) and the forms take it, such as
/// `DNS:example.com`, `IP:10.0.0.0/8` or `otherName:…`, and the text it is shown as afterwards.
enum GeneralNameTextTarget {
    @Sendable static func run(_ bytes: [UInt8]) {
        let text = bytes.lenientText
        for allowNetworks in [false, true] {
            if let name = try? GeneralNameParser.parse(text, allowNetworks: allowNetworks) {
                _ = GeneralNameFormatter.format(name)
            }
        }
    }
}
