import ArgumentParser
import CAACME
import CAAuthority
import CACore
import Foundation

struct ACMECleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acme-cleanup", abstract: "Delete expired ACME nonces (for cron; `serve` does this itself).",
        aliases: ["acme_cleanup"])

    func run() async throws {
        try await CommandRunner.run { authority in
            let outcome = try await ACMECleanup.run(authority)
            print("\(outcome.expiredNonces) expired nonce(s) deleted")
        }
    }
}
