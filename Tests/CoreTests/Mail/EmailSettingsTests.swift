import Foundation
import Testing
@testable import CACore

@Suite struct EmailSettingsTests {
    @Test func noMailUntilAHostIsSet() throws {
        let settings = try SettingsLoader.load(environment: ["HOME": "/h"])
        #expect(settings.email.host == nil)
        #expect(settings.email.effectivePort == 25)
        #expect(settings.email.timeout == 30)
        #expect(settings.jobs.notificationInterval == 3_600)
    }

    @Test func primaryNamesFromTheEnvironment() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_EMAIL_HOST": "mail.example.com", "CA_EMAIL_USER": "ca", "CA_EMAIL_PASSWORD": "s3cret",
            "CA_EMAIL_USE_SSL": "true", "CA_EMAIL_FROM": "CA <ca@example.com>", "CA_EMAIL_TLS_CA_FILE": "/etc/mail-ca.pem",
            "CA_EMAIL_TIMEOUT": "5", "CA_JOB_NOTIFICATION_INTERVAL": "600",
        ])
        #expect(settings.email.host == "mail.example.com")
        #expect(settings.email.effectivePort == 465)
        #expect(settings.email.user == "ca")
        #expect(settings.email.password?.value == "s3cret")
        #expect(settings.email.useImplicitTLS && !settings.email.useSTARTTLS)
        #expect(settings.email.from == (try EmailAddress(parsing: "CA <ca@example.com>")))
        #expect(settings.email.tlsCAFile == "/etc/mail-ca.pem")
        #expect(settings.email.timeout == 5)
        #expect(settings.jobs.notificationInterval == 600)
    }

    @Test func djangoNamesAreAliasesAndTheOwnNameWins() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h", "CA_EMAIL_HOST_USER": "django", "CA_EMAIL_HOST_PASSWORD": "pw", "CA_DEFAULT_FROM_EMAIL": "a@example.com",
            "CA_EMAIL_FROM": "b@example.com", "CA_EMAIL_USE_TLS": "yes", "CA_EMAIL_PORT": "587",
        ])
        #expect(settings.email.user == "django")
        #expect(settings.sources["CA_EMAIL_USER"] == "environment CA_EMAIL_HOST_USER")
        #expect(settings.email.password?.value == "pw")
        #expect(settings.email.from?.address == "b@example.com")
        #expect(settings.email.useSTARTTLS)
        #expect(settings.email.effectivePort == 587)
    }

    @Test func aliasesInTheSettingsFile() throws {
        let file = NSTemporaryDirectory() + "mail-settings-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try #"{"CA_EMAIL_HOST": "localhost", "CA_DEFAULT_FROM_EMAIL": "ca@example.com", "CA_EMAIL_USE_TLS": true}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try SettingsLoader.load(environment: ["HOME": "/h", "SWIFT_CA_SETTINGS": file])
        #expect(settings.email.from?.address == "ca@example.com")
        #expect(settings.email.useSTARTTLS)
        #expect(settings.sources["CA_EMAIL_FROM"] == "file \(file)")
    }

    @Test(arguments: [
        ["CA_EMAIL_USE_TLS": "true", "CA_EMAIL_USE_SSL": "true"], ["CA_EMAIL_FROM": "not an address"], ["CA_EMAIL_PORT": "70000"],
        ["CA_EMAIL_TIMEOUT": "0"], ["CA_EMAIL_USE_TLS": "maybe"], ["CA_JOB_NOTIFICATION_INTERVAL": "-5"],
    ])
    func invalidValuesAreRefused(environment: [String: String]) {
        let error = #expect(throws: CAError.self) { try SettingsLoader.load(environment: environment.merging(["HOME": "/h"]) { a, _ in a }) }
        #expect(error?.kind == .invalidInput)
    }

    @Test func thePasswordNeverShowsWhenSettingsArePrinted() throws {
        let settings = try SettingsLoader.load(environment: ["HOME": "/h", "CA_EMAIL_PASSWORD": "s3cret-value"])
        var dumped = ""
        dump(settings, to: &dumped)
        for text in ["\(settings)", String(reflecting: settings), dumped, "\(settings.email)"] {
            #expect(!text.contains("s3cret-value"))
        }
    }
}
