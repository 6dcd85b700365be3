import CACore
import Foundation

/// A settings file as `SettingsLoader.load` reads it at every start: django-ca's YAML (through Yams) or
/// swift-ca's JSON, then each value through its setting's reader.
///
/// The contents are handed over in memory: writing a temporary file each run cost more time than the parsing
/// (Foundation syncs it), and the file lookup reads no input.
enum SettingsTarget {
    @Sendable static func runYAML(_ bytes: [UInt8]) { load(bytes, name: "settings.yaml") }

    @Sendable static func runJSON(_ bytes: [UInt8]) { load(bytes, name: "settings.json") }

    // HOME and CA_DIR point nowhere so that no real file of the machine is read by default.
    private static let environment = ["HOME": "/nonexistent", "CA_DIR": "/nonexistent"]

    private static func load(_ bytes: [UInt8], name: String) {
        _ = try? SettingsLoader.load(environment: environment, settingsFileNamed: "/nonexistent/" + name, contents: Data(bytes))
    }
}
