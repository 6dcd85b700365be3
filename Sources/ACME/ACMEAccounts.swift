import CAAuthority
import CACore
import CAStore
import Foundation

/// Accounts (RFC 8555 §7.3): registration, lookup by key, updates, deactivation, key change and the
/// external account binding.
extension ACMEService {
    func newAccount(_ context: ACMEContext) async throws -> ACMEResponse {
        let (jws, authority, endpoint) = (context.jws, context.authority, context.endpoint)
        guard case .jwk = jws.header.key else { throw ACMEProblem.malformed("newAccount must be signed with a jwk, not a kid") }
        let key = try jws.verifiedEmbeddedKey()
        let payload = try jws.payloadJSONObject()
        let thumbprint = key.thumbprint()
        let serial = authority.serial
        let existing = try await reading { transaction in try await transaction.acmeAccount(authority: serial, thumbprint: thumbprint) }
        if let existing {
            // RFC 8555 §7.3.6: a deactivated account answers nothing any more, not even by its key.
            guard existing.status == .valid else { throw Self.inactive(existing) }
            // RFC 8555 §7.3.1: the existing account, 200, its URL in Location.
            return .json(
                Self.accountObject(existing, endpoint: endpoint), status: 200,
                headers: [("Location", endpoint.account(existing.id)), ("Link", endpoint.indexLink)])
        }
        if payload["onlyReturnExisting"] as? Bool == true {
            throw ACMEProblem(.accountDoesNotExist, "no account exists for this key")
        }
        let configuration = context.configuration
        guard configuration.acme?.registrationEnabled ?? true else {
            throw ACMEProblem.unauthorized("this CA does not accept new ACME accounts")
        }
        let contact = try Self.contacts(payload["contact"])
        if configuration.acme?.contactRequired == true && contact.isEmpty {
            throw ACMEProblem(.invalidContact, "this CA requires a contact (mailto:) for new accounts")
        }
        let agreed = payload["termsOfServiceAgreed"] as? Bool ?? false
        if let terms = configuration.termsOfService, !agreed {
            var problem = ACMEProblem(.userActionRequired, "agree to the terms of service at \(terms)", status: 403)
            problem.headers = [("Link", "<\(terms)>;rel=\"terms-of-service\"")]
            throw problem
        }
        let externalKeyID = try await checkExternalBinding(
            payload["externalAccountBinding"], required: configuration.acme?.externalAccountRequired ?? false,
            authority: serial, url: endpoint.newAccount, accountKey: key)
        let account = ACMEAccountRecord(
            id: Self.randomToken(), authoritySerial: serial, thumbprint: thumbprint, jwk: key.canonicalJSON,
            status: .valid, contact: contact, termsAgreed: agreed, createdAt: Date())
        // Committed (with the binding of the EAB key) before the client learns the account exists.
        try await bookkeeping { transaction in
            try await transaction.insertACMEAccount(account)
            if let externalKeyID {
                guard try await transaction.bindExternalAccountKey(id: externalKeyID, account: account.id) else {
                    throw ACMEProblem.unauthorized("the external account key \(externalKeyID) is already bound to an account")
                }
            }
        }
        return .json(
            Self.accountObject(account, endpoint: endpoint), status: 201,
            headers: [("Location", endpoint.account(account.id)), ("Link", endpoint.indexLink)])
    }

    /// Checks an external account binding (RFC 8555 §7.3.4) and returns its key id, to bind on success.
    private func checkExternalBinding(
        _ value: Any?, required: Bool, authority: String, url: String, accountKey: JSONWebKey
    ) async throws -> String? {
        guard let value else {
            if required {
                throw ACMEProblem(.externalAccountRequired, "this CA requires an external account binding (ask its operator for a key)")
            }
            return nil
        }
        let binding = try ExternalAccountBinding(jsonObject: value)
        let keyID = binding.keyID
        let stored = try await reading { transaction in try await transaction.externalAccountKey(id: keyID) }
        guard let stored, stored.authoritySerial == nil || stored.authoritySerial == authority else {
            throw ACMEProblem.unauthorized("unknown external account key id \(keyID)")
        }
        guard stored.accountID == nil else {
            throw ACMEProblem.unauthorized("the external account key \(keyID) is already bound to an account")
        }
        guard let macKey = Base64URL.decode(stored.macKey) else {
            throw ACMEProblem(.serverInternal, "the stored external account key cannot be read", status: 500)
        }
        try binding.verify(expectedKeyID: stored.keyID, macKey: macKey, outerURL: url, accountKey: accountKey)
        return keyID
    }

    /// The account a `kid` request is signed for, after checking the signature with its key.
    func account(for context: ACMEContext) async throws -> ACMEAccountRecord {
        let jws = context.jws
        guard case .kid(let keyID) = jws.header.key else {
            throw ACMEProblem.malformed("this request must be signed with the account's kid, not a jwk")
        }
        let prefix = context.endpoint.account("")
        guard keyID.hasPrefix(prefix), keyID.hasSuffix("/") else { throw ACMEProblem(.accountDoesNotExist, "unknown kid \(keyID)") }
        let id = String(keyID.dropFirst(prefix.count).dropLast())
        let found = try await accounts.account(id) { try await self.reading { transaction in try await transaction.acmeAccount(id: id) } }
        guard let (account, key) = found, account.authoritySerial == context.authority.serial else {
            throw ACMEProblem(.accountDoesNotExist, "unknown kid \(keyID)")
        }
        try jws.verify(with: key)
        guard account.status == .valid else { throw Self.inactive(account) }
        return account
    }

    static func key(of account: ACMEAccountRecord) throws -> JSONWebKey {
        do {
            return try JSONWebKey(json: Array(account.jwk.utf8))
        } catch {
            throw ACMEProblem(.serverInternal, "the stored account key cannot be read", status: 500)
        }
    }

    func updateAccount(_ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        guard context.jws.header.keyID == context.endpoint.account(account.id) else {
            throw ACMEProblem.unauthorized("an account can only read and change itself")
        }
        var updated = account
        if !context.jws.isPostAsGet {
            let payload = try context.jws.payloadJSONObject()
            if payload["contact"] != nil { updated.contact = try Self.contacts(payload["contact"]) }
            if let status = payload["status"] {
                guard status as? String == "deactivated" else {
                    throw ACMEProblem.malformed("an account's status can only be changed to \"deactivated\"")
                }
                updated.status = .deactivated
            }
            if updated != account {
                let changed = updated
                try await bookkeeping { transaction in try await transaction.updateACMEAccount(changed) }
                accounts.forget(changed.id)
            }
        }
        let endpoint = context.endpoint
        return .json(
            Self.accountObject(updated, endpoint: endpoint), headers: [("Location", endpoint.account(updated.id)), ("Link", endpoint.indexLink)])
    }

    /// RFC 8555 §7.1.2.1: the URLs of the account's orders.
    func listOrders(_ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        guard context.jws.header.keyID == context.endpoint.account(account.id) else {
            throw ACMEProblem.unauthorized("an account can only list its own orders")
        }
        let id = account.id
        let orders = try await reading { transaction in try await transaction.acmeOrderIDs(account: id) }
        return .json(["orders": orders.map(context.endpoint.order)], headers: [("Link", context.endpoint.indexLink)])
    }

    /// RFC 8555 §7.3.5: the outer JWS is signed by the old key (kid), its payload is a JWS signed by the
    /// new key over {account, oldKey}.
    func changeKey(_ context: ACMEContext) async throws -> ACMEResponse {
        let account = try await account(for: context)
        let inner: FlattenedJWS
        do {
            inner = try FlattenedJWS(jsonObject: try JSONSerialization.jsonObject(with: Data(context.jws.payload)), isInnerKeyChange: true)
        } catch let error as JWSError {
            throw ACMEProblem.malformed("the key change payload is not a valid inner JWS: \(error.message)")
        } catch {
            throw ACMEProblem.malformed("the key change payload is not JSON")
        }
        guard inner.header.url == context.jws.header.url else {
            throw ACMEProblem.malformed("the inner JWS's url differs from the outer one's")
        }
        let newKey = try inner.verifiedEmbeddedKey()
        let payload = try inner.payloadJSONObject()
        guard payload["account"] as? String == context.endpoint.account(account.id) else {
            throw ACMEProblem.malformed("the key change's \"account\" is not the URL of the account that signed it")
        }
        guard let oldKeyObject = payload["oldKey"], let oldKey = try? JSONWebKey(jsonObject: oldKeyObject),
            oldKey == (try Self.key(of: account))
        else {
            throw ACMEProblem.malformed("the key change's \"oldKey\" is not the account's current key")
        }
        let thumbprint = newKey.thumbprint()
        let serial = account.authoritySerial
        let owner = try await reading { transaction in try await transaction.acmeAccount(authority: serial, thumbprint: thumbprint) }
        if let owner {
            var problem = ACMEProblem(.conflict, "another account already uses the new key", status: 409)
            problem.headers = [("Location", context.endpoint.account(owner.id))]
            throw problem
        }
        let (id, jwk) = (account.id, newKey.canonicalJSON)
        try await bookkeeping { transaction in try await transaction.updateACMEAccountKey(id: id, thumbprint: thumbprint, jwk: jwk) }
        accounts.forget(id)
        return .json(
            Self.accountObject(account, endpoint: context.endpoint),
            headers: [("Location", context.endpoint.account(account.id)), ("Link", context.endpoint.indexLink)])
    }

    static func inactive(_ account: ACMEAccountRecord) -> ACMEProblem {
        ACMEProblem(.unauthorized, "the account is \(account.status)", status: 401)
    }

    static func accountObject(_ account: ACMEAccountRecord, endpoint: ACMEEndpoints) -> [String: Any] {
        ["status": account.status.rawValue, "contact": account.contact, "termsOfServiceAgreed": account.termsAgreed,
         "orders": endpoint.account(account.id) + "orders/"]
    }

    /// RFC 8555 §7.3: contacts are URLs; swift-ca supports `mailto:` with one plain address each.
    static func contacts(_ value: Any?) throws -> [String] {
        guard let value else { return [] }
        guard let list = value as? [String] else { throw ACMEProblem(.invalidContact, "contact must be a list of URLs") }
        guard list.count <= 10 else { throw ACMEProblem(.invalidContact, "at most 10 contacts are accepted") }
        for contact in list {
            guard contact.lowercased().hasPrefix("mailto:") else {
                throw ACMEProblem(.unsupportedContact, "only mailto: contacts are supported, not \(contact)")
            }
            let address = contact.dropFirst("mailto:".count)
            let parts = address.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(","), !address.contains("?"),
                !address.contains(" ")
            else {
                throw ACMEProblem(.invalidContact, "\(contact) is not a single e-mail address")
            }
        }
        return list
    }
}
