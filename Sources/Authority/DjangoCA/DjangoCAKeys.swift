import CACore
import CAStore
import Foundation
import X509

/// The private keys of a django-ca installation: CA keys from its storages backend (PKCS#8 DER files, encrypted
/// with the CA's password or not) and the current OCSP responder key of each CA (a file encrypted under random
/// bytes that the CA row holds, or a PEM in the row itself).
extension DjangoCAImportPlan {
    /// The backend name of a CA imported without its key: signing with it says the key is not available.
    static let missingKeyBackend = "none"

    mutating func readAuthorityKeys(
        options: DjangoCAImportOptions, settings: Settings, prompt: DjangoCAPasswordPrompt?
    ) throws -> [DjangoCAImportedKey] {
        var keys: [DjangoCAImportedKey] = []
        for index in newAuthorities.indices {
            let serial = newAuthorities[index].serial
            guard let row = newAuthorityRows[serial] else { continue }
            let keyOptions = (try? JSONSerialization.jsonObject(with: Data(row.keyBackendOptions.utf8))) as? [String: Any] ?? [:]
            if row.keyBackendAlias != "default", let keyLabel = keyOptions["key_label"] as? String {
                // An HSM key stays in the HSM: the CA records where (token, label, id, type) under django-ca's alias,
                // which signs once CA_KEY_BACKENDS configures that alias. The token label is in django-ca's
                // CA_KEY_BACKENDS, not in its database.
                let token = settings.djangoInstallation.hsmTokens[row.keyBackendAlias]
                var location: [String: Any] = ["key_label": keyLabel]
                location["token"] = token
                location["key_id"] = keyOptions["key_id"]
                location["key_type"] = keyOptions["key_type"]
                newAuthorities[index].keyBackend = row.keyBackendAlias
                newAuthorities[index].keyLocation = String(decoding: try JSONSerialization.data(withJSONObject: location, options: [.sortedKeys]), as: UTF8.self)
                let tokenText = token.map { "token \"\($0)\"" } ?? "token unknown: set DJANGO_CA_SETTINGS to django-ca's settings file with CA_KEY_BACKENDS"
                report.notes.append(
                    "CA \(row.name): its key is in an HSM (\(tokenText), key label \"\(keyLabel)\"); it was recorded, and signs once swift-ca's HSM key backend is set up")
                continue
            }
            do {
                guard row.keyBackendAlias == "default", let relativePath = keyOptions["path"] as? String else {
                    throw CAError(.keyAccess, "its key is kept by django-ca's key backend \"\(row.keyBackendAlias)\", which swift-ca cannot read")
                }
                let bytes = try Self.readKeyFile(relativePath, options: options)
                var password: String?
                if PrivateKeyCoding.isEncrypted(bytes) {
                    password = options.passwords.first { SerialNumberText.normalize($0.key) == serial }?.value
                        ?? settings.configuredPassword(forSerial: serial) ?? prompt?(row.name, serial)
                    guard let password, !password.isEmpty else {
                        throw CAError(
                            .keyAccess,
                            "its key is encrypted: give --password \(serial)=PASSWORD, set CA_PASSWORDS, or run the import in a terminal to be asked")
                    }
                }
                let key: Certificate.PrivateKey
                do {
                    key = try PrivateKeyCoding.decode(bytes, password: password)
                } catch let error as CAError where error.kind == .keyAccess {
                    throw CAError(.keyAccess, "\(error.message) (key file \(relativePath))")
                }
                guard key.publicKey == (try Certificate(derEncoded: newAuthorities[index].certificateDER)).publicKey else {
                    throw CAError(.invalidInput, "the key file \(relativePath) does not belong to its certificate")
                }
                // The key keeps the password django-ca's had, so the same people can use it.
                keys.append(DjangoCAImportedKey(label: serial, key: key, password: password))
            } catch let error as CAError where error.kind == .keyAccess && options.allowMissingKeys && !Self.isPasswordProblem(error) {
                newAuthorities[index].keyBackend = Self.missingKeyBackend
                newAuthorities[index].keyLocation = ""
                report.notes.append("CA \(row.name) was imported without its key (--allow-missing-keys): \(error.message); it cannot sign")
            } catch let error as CAError {
                throw CAError(error.kind, "CA \(row.name) (\(SerialNumberText.colonSeparated(serial))): \(error.message); nothing was imported")
            }
        }
        return keys
    }

    /// A wrong or missing password is never a reason to import a CA without its key.
    static func isPasswordProblem(_ error: CAError) -> Bool {
        error.message.contains("password")
    }

    static func readKeyFile(_ relativePath: String, options: DjangoCAImportOptions) throws -> [UInt8] {
        guard let directory = options.keyDirectory else {
            throw CAError(.keyAccess, "its key file \(relativePath) is in django-ca's key storage: give --key-dir")
        }
        guard !relativePath.split(separator: "/").contains(".."), !relativePath.hasPrefix("/") else {
            throw CAError(.keyAccess, "its key path \(relativePath) leaves django-ca's key storage")
        }
        let path = (directory as NSString).appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CAError(.keyAccess, "its key file \(path) is missing or unreadable")
        }
        return [UInt8](data)
    }

    /// The current OCSP responder key of every new CA whose responder certificate is imported too. A key that
    /// cannot be read is left out with a note: the server then makes a new responder certificate.
    /// A CA whose responder keys django-ca made in an HSM keeps that alias when swift-ca's CA_OCSP_KEY_BACKENDS
    /// configures it as an HSM. django-ca's key is found by a label of its own, so the next generate-ocsp-keys makes
    /// a new key there.
    mutating func planResponderKeyBackends(settings: Settings) throws {
        for index in newAuthorities.indices {
            guard let row = newAuthorityRows[newAuthorities[index].serial], row.ocspKeyBackendAlias != "default" else { continue }
            guard case .hsm? = settings.ocspKeyBackends[row.ocspKeyBackendAlias] else { continue }
            var configuration = try AuthorityConfiguration.decode(newAuthorities[index].configuration)
            configuration.ocspKeyBackend = row.ocspKeyBackendAlias
            newAuthorities[index].configuration = try configuration.encoded()
            report.notes.append(
                "CA \(row.name): its OCSP responder keys are made in the token of OCSP key backend \"\(row.ocspKeyBackendAlias)\"; run `swift-ca generate-ocsp-keys --force` for it")
        }
    }

    mutating func readResponderKeys(options: DjangoCAImportOptions) -> [DjangoCAImportedKey] {
        let importedSerials = Set(newCertificates.map(\.serial))
        var keys: [DjangoCAImportedKey] = []
        for authority in newAuthorities {
            guard let row = newAuthorityRows[authority.serial],
                let responder = (try? JSONSerialization.jsonObject(with: Data(row.ocspKeyBackendOptions.utf8))) as? [String: Any],
                let certificatePEM = (responder["certificate"] as? [String: Any])?["pem"] as? String,
                let certificate = try? Certificate(pemEncoded: certificatePEM)
            else { continue }
            let serial = SerialNumberText.hex(certificate.serialNumber)
            guard importedSerials.contains(serial), let privateKey = responder["private_key"] as? [String: Any] else { continue }
            do {
                let key: Certificate.PrivateKey
                if let pem = privateKey["pem"] as? String {
                    key = try PrivateKeyCoding.decode(Array(pem.utf8), password: nil)
                } else if let path = privateKey["path"] as? String {
                    let bytes = try Self.readKeyFile(path, options: options)
                    let password = (privateKey["password"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
                    key = try PrivateKeyCoding.decode(bytes, passwordBytes: password)
                } else {
                    continue
                }
                guard key.publicKey == certificate.publicKey else {
                    throw CAError(.keyAccess, "the key does not belong to the responder certificate")
                }
                keys.append(DjangoCAImportedKey(label: Authority.responderKeyLabel(serial), key: key, password: nil))
            } catch {
                let reason = (error as? CAError)?.message ?? "\(error)"
                report.notes.append("CA \(row.name): its OCSP responder key was not imported (\(reason)); run `swift-ca generate-ocsp-keys --force` for it")
            }
        }
        report.imported[.responderKeys] = keys.count
        return keys
    }
}
