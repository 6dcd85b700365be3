import CAAuthority
import CACore
import Foundation
import TestSupport

/// An `Authority` in process on a temporary database (SQLite, or PostgreSQL when the suite runs on it), in a
/// temporary directory that `close` removes. `keyDirectory` is a directory beside CA_DIR for files a test brings.
final class AuthorityFixture: Sendable {
    let directory: String
    let keyDirectory: String
    let authority: Authority
    let database: TemporaryDatabase

    init() async throws {
        directory = NSTemporaryDirectory() + "swift-ca-authority-" + UUID().uuidString
        keyDirectory = directory + "/django-ca-keys"
        database = try TemporaryDatabase(directory: directory)
        var settings = Settings.defaults(home: directory)
        settings.caDirectory = directory + "/ca"
        settings.databaseURL = try DatabaseLocation.parse(database.url)
        authority = try await Authority.open(settings: settings)
    }

    func close() async {
        await authority.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` and closes the authority whatever happens: a PostgreSQL connection must be closed before
    /// it is released.
    static func with(_ body: (AuthorityFixture) async throws -> Void) async throws {
        let fixture = try await AuthorityFixture()
        do {
            try await body(fixture)
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }
}
