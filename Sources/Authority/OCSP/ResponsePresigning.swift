import CACore
import CAStore
import Foundation

/// What `generate-ocsp-responses` did for one CA.
public struct PresignOutcome: Sendable {
    public enum Result: Sendable {
        case signed(count: Int)
        case failed(CAError)
    }

    public let authority: AuthorityRecord
    public let result: Result
}

extension Authority {
    /// Pre-signs a response (SHA-1 CertID, as RFC 5019 clients ask) for every unexpired certificate of each
    /// usable CA whose stored response is missing or within CA_OCSP_RESPONSE_CACHE_RENEWAL of its nextUpdate.
    ///
    /// Each batch reads statuses, signs and stores inside one write transaction, so a revocation committed
    /// meanwhile waits and then deletes what was stored, instead of being overwritten by "good".
    ///
    /// - Parameter progress: Called after each batch with the responses signed so far, over all CAs.
    public func generateOCSPResponses(
        now: Date = Date(), batchSize: Int = 1_000, progress: @Sendable (Int) -> Void = { _ in }
    ) async throws -> [PresignOutcome] {
        var outcomes: [PresignOutcome] = []
        var signedInAll = 0
        for authority in try await authoritiesForJob(serials: [], exclude: []) where try authority.configurationValue().ocspEnabled != false {
            do {
                guard let credentials = try await responderCredentials(for: authority, now: now) else {
                    throw CAError(.keyAccess, "CA \"\(authority.name)\" has no current OCSP responder certificate; run generate-ocsp-keys")
                }
                let identity = try ResponderIdentity(authority: authority, credentials: credentials)
                guard let signer = identity.signer else { continue }
                let thisUpdate = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
                let nextUpdate = thisUpdate.addingTimeInterval(ocspResponseValidity(for: authority))
                let renewBefore = now.addingTimeInterval(settings.ocsp.responseRenewal)
                var afterSerial = ""
                var signedCount = 0
                while true {
                    let startAfter = afterSerial
                    let batch: (count: Int, last: String?) = try await store.write { transaction in
                        let rows = try await transaction.certificatesNeedingOCSPResponses(
                            authority: authority.serial, validAt: now, renewBefore: renewBefore, afterSerial: startAfter,
                            limit: batchSize)
                        let responses = try rows.map { row in
                            let single = OCSPSingleResponse(
                                certID: try identity.canonicalCertID(serial: row.serial),
                                status: OCSPCertificateStatus(row.status), thisUpdate: thisUpdate, nextUpdate: nextUpdate)
                            return StoredOCSPResponse(
                                authoritySerial: authority.serial, serial: row.serial, thisUpdate: thisUpdate,
                                nextUpdate: nextUpdate, responseDER: try signer.sign([single], producedAt: now, nonce: nil))
                        }
                        try await transaction.saveOCSPResponses(responses)
                        return (rows.count, rows.last?.serial)
                    }
                    signedCount += batch.count
                    signedInAll += batch.count
                    progress(signedInAll)
                    guard batch.count == batchSize, let last = batch.last else { break }
                    afterSerial = last
                }
                outcomes.append(PresignOutcome(authority: authority, result: .signed(count: signedCount)))
            } catch let error as CAError {
                outcomes.append(PresignOutcome(authority: authority, result: .failed(error)))
            }
        }
        return outcomes
    }
}
