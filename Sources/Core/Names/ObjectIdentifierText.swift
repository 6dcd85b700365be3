import SwiftASN1

/// Parses dotted object identifiers such as `2.5.4.3`.
///
/// `ASN1ObjectIdentifier(dotRepresentation:)` accepts arcs such as `+5` and first arcs above 2, which
/// would encode to a different OID than the one written, so the text is checked here first.
enum ObjectIdentifierText {
    /// Whether the text looks like an attempt at a dotted OID (starts with a digit).
    static func looksLikeObjectIdentifier(_ text: some StringProtocol) -> Bool {
        guard let first = text.utf8.first else { return false }
        return first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")
    }

    static func parse(_ text: some StringProtocol) throws(NameSyntaxError) -> ASN1ObjectIdentifier {
        let invalid = NameSyntaxError(
            "\(NameText.quoted(text)) is not a dotted object identifier such as \"1.3.6.1.4.1.311\""
        )
        let arcTexts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard arcTexts.count >= 2 else { throw invalid }
        var arcs: [UInt] = []
        for arcText in arcTexts {
            guard !arcText.isEmpty,
                arcText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let arc = UInt(arcText)
            else { throw invalid }
            arcs.append(arc)
        }
        // X.660: the first arc is 0, 1 or 2, and below 2 the second arc is limited to 0...39.
        // The first two arcs share one encoded number (40 * first + second), which must not overflow.
        guard arcs[0] <= 2, arcs[0] == 2 || arcs[1] < 40, arcs[1] <= UInt.max - 80 else {
            throw NameSyntaxError(
                "\(NameText.quoted(text)) is not a valid object identifier: "
                    + "the first arc must be 0, 1 or 2 and, below 2, the second arc less than 40"
            )
        }
        do {
            return try ASN1ObjectIdentifier(elements: arcs)
        } catch {
            throw invalid
        }
    }
}
