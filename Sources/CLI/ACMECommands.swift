import ArgumentParser
import CAACME
import CAAuthority
import CACore
import Foundation

struct ACMECleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acme-cleanup", abstract: "Delete expired ACME nonces, orders and authorizations (for cron; `serve` does this itself).",
        aliases: ["acme_cleanup"])

    func run() async throws {
        try await CommandRunner.run { authority in
            let outcome = try await ACMECleanup.run(authority)
            print(
                "\(outcome.expiredNonces) expired nonce(s), \(outcome.expiredOrders) expired order(s) and "
                    + "\(outcome.expiredAuthorizations) expired authorization(s) deleted")
        }
    }
}

struct ACMEExternalAccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acme-eab", abstract: "Create and list External Account Binding keys for ACME clients (RFC 8555 §7.3.4).",
        subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key: give the printed key id and HMAC key to one ACME client (e.g. lego --eab --kid --hmac).")

        @Option(help: "Only for this CA (serial or name); default: any CA.") var ca: String?
        @Option(help: "A note for the operator, such as who the key is for.") var comment = ""

        func run() async throws {
            try await CommandRunner.run { authority in
                let key = try await ExternalAccountKeys.create(authority, for: ca, comment: comment)
                print("Key ID: \(key.keyID)")
                print("HMAC key: \(key.macKey)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys and the accounts they are bound to.")

        func run() async throws {
            try await CommandRunner.run { authority in
                for key in try await ExternalAccountKeys.list(authority) {
                    let scope = key.authoritySerial.map { "CA \(SerialNumberText.colonSeparated($0))" } ?? "any CA"
                    let binding = key.accountID.map { "bound to account \($0)" } ?? "unused"
                    print("\(key.keyID)\t\(scope)\t\(binding)\t\(key.comment)")
                }
            }
        }
    }
}
