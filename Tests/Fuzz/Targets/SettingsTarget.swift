import CACore
import Foundation

/// A settings file as `SettingsLoader.load` reads it at every start: django-ca's YAML (through Yams) or
/// swift-ca's JSON, then each value through its setting's reader.
///
/// The loader reads files by path, so each input is written to one file per process first; the loader's own
/// file lookup is part of what runs in production.
enum SettingsTarget {
    @Sendable static func runYAML(_ bytes: [UInt8]) { load(bytes, fileExtension: "yaml") }

    @Sendable static func runJSON(_ bytes: [UInt8]) { load(bytes, fileExtension: "json") }

    private static func load(_ bytes: [UInt8], fileExtension: String) {
        let path = NSTemporaryDirectory() + "/swift-ca-fuzz-\(getpid()).\(fileExtension)"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        defer { try? FileManager.default.removeItem(atPath: path) }
        // HOME and CA_DIR point nowhere so that no real file of the machine is read.
        _ = try? SettingsLoader.load(environment: ["SWIFT_CA_SETTINGS": path, "HOME": "/nonexistent", "CA_DIR": "/nonexistent"])
    }
}
