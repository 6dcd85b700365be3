/// Reads django-ca 1.x's `critical,` prefix form of an extension option.
///
/// django-ca 1.x took options such as `--key-usage critical,keyCertSign,cRLSign`: the word
/// `critical` in front of the comma-separated values marks the extension critical. swift-ca
/// accepts the same spelling so that old scripts keep working.
public enum CriticalFlagParser {
    /// The word that marks an extension critical.
    public static let criticalMarker = "critical"

    /// Splits option values into the critical flag and the plain values.
    ///
    /// Every value is split at commas and trimmed; empty pieces are dropped. If the first piece is
    /// `critical` (in any case) it is removed and `critical` is `true`. Only the first piece counts,
    /// as in django-ca 1.x, so a value that merely contains the word elsewhere is left alone.
    ///
    /// ```swift
    /// CriticalFlagParser.split(["critical,keyCertSign,cRLSign"])  // (true, ["keyCertSign", "cRLSign"])
    /// CriticalFlagParser.split(["critical", "keyCertSign"])       // (true, ["keyCertSign"])
    /// CriticalFlagParser.split(["keyCertSign,cRLSign"])           // (false, ["keyCertSign", "cRLSign"])
    /// ```
    public static func split(_ values: [String]) -> (critical: Bool, values: [String]) {
        var pieces = values
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { ExtensionText.trimmed(String($0)) }
            .filter { !$0.isEmpty }
        guard let first = pieces.first, first.lowercased() == criticalMarker else {
            return (false, pieces)
        }
        pieces.removeFirst()
        return (true, pieces)
    }
}
