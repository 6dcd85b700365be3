import Foundation

/// A secret read from a file rather than given on a command line or in the environment, where process
/// listings, shell history and crash reports would show it: `--password-file`, `CA_EMAIL_PASSWORD_FILE`,
/// `user_pin_file`. Made for systemd credentials, Docker and Kubernetes secrets, and files of mode 0400.
public enum SecretFile {
    /// Settings whose value may come from the file named by `<NAME>_FILE` (in the environment or a settings file).
    public static let settingNames: Set<String> = ["CA_DATABASE_URL", "CA_PASSWORDS", "CA_EMAIL_PASSWORD"]

    /// `CA_EMAIL_PASSWORD` for `CA_EMAIL_PASSWORD_FILE`; nil for a name that is not such a setting.
    public static func settingName(ofFileSetting name: String) -> String? {
        guard name.hasSuffix("_FILE") else { return nil }
        let secretName = String(name.dropLast(5))
        return settingNames.contains(secretName) ? secretName : nil
    }

    /// Secrets are short; a larger file is a mistake (a key or a log named by accident), not a password.
    static let maximumBytes = 64 * 1024

    /// The file's text without one trailing line break (what `echo` and editors add). `what` names the option
    /// or setting in errors.
    public static func read(_ path: String, for what: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CAError(.invalidInput, "\(what): cannot read the file \(path)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumBytes + 1)) ?? Data()
        guard data.count <= maximumBytes else {
            throw CAError(.invalidInput, "\(what): \(path) is larger than \(maximumBytes / 1024) KiB, too large for a secret")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw CAError(.invalidInput, "\(what): \(path) is not UTF-8 text")
        }
        if text.hasSuffix("\r\n") {
            text.removeLast(2)
        } else if text.hasSuffix("\n") {
            text.removeLast()
        }
        guard !text.isEmpty else { throw CAError(.invalidInput, "\(what): \(path) is empty") }
        return text
    }

    /// A secret given either directly (`option`) or as a file (`fileOption`), never both.
    public static func choose(value: String?, file: String?, option: String, fileOption: String) throws -> String? {
        switch (value, file) {
        case (.some, .some): throw CAError(.invalidInput, "give \(option) or \(fileOption), not both")
        case (let value?, nil): return value
        case (nil, let file?): return try read(file, for: fileOption)
        case (nil, nil): return nil
        }
    }
}
