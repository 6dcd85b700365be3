import CAAuthority
import CACore
import CAStore
import Foundation

/// The signing half of a finalization queued by a public node: run on a node with CA keys, it issues the
/// certificate through the one issuance path and turns the order `valid` in the certificate's transaction,
/// or `invalid` with the CA's reason. A storage failure leaves the request queued for the next try.
public enum ACMEQueuedSigning {
    static let orderPurpose = "acme-order"

    public enum Outcome: Sendable, Equatable {
        case issued(serial: String)
        case refused(String)
    }

    public static func process(_ entry: QueuedSigning, authority: Authority) async throws -> Outcome {
        let store = authority.store
        guard entry.purpose == orderPurpose else {
            _ = try await store.deleteQueuedSigning(id: entry.id)
            return .refused("unknown purpose \(entry.purpose)")
        }
        do {
            let request = try JSONDecoder().decode(SigningRequest.self, from: Data(entry.request.utf8))
            let issued = try await authority.sign(
                csr: entry.csrDER, request: request, authority: entry.authoritySerial,
                password: authority.settings.configuredPassword(forSerial: entry.authoritySerial)
            ) { record in
                guard try await store.deleteQueuedSigning(id: entry.id) else {
                    throw CAError(.conflict, "the signing request was handled by another node")
                }
                guard var order = try await store.acmeOrder(id: entry.reference), order.status == "processing" else {
                    throw CAError(.conflict, "ACME order \(entry.reference) is no longer processing")
                }
                order.status = "valid"
                order.certificateSerial = record.serial
                try await store.updateACMEOrder(order)
            }
            return .issued(serial: issued.record.serial)
        } catch let error as CAError where error.kind == .storage {
            throw error
        } catch {
            let problem: ACMEProblem
            if let caError = error as? CAError {
                problem = ACMEProblem(caError)
            } else {
                problem = ACMEProblem("serverInternal", "the queued signing request cannot be read", status: 500)
            }
            try await store.transaction {
                guard try await store.deleteQueuedSigning(id: entry.id) else { return }
                guard var order = try await store.acmeOrder(id: entry.reference), order.status == "processing" else { return }
                order.status = "invalid"
                order.error = problem.jsonText
                try await store.updateACMEOrder(order)
            }
            return .refused(problem.detail)
        }
    }
}
