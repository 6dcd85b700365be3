import Foundation

/// The facts of a watched certificate that an expiry mail tells.
public struct ExpiringCertificate: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case x509
        /// An OpenSSH certificate of the CA with this key fingerprint: its serial is decimal, and only unique per CA.
        case openSSH(authorityFingerprint: String)
    }

    /// Upper-case hex, as stored; decimal for an OpenSSH certificate.
    public var serial: String
    /// The CN; an OpenSSH certificate's key id.
    public var commonName: String
    public var authorityName: String
    public var notAfter: Date
    public var kind: Kind

    public init(serial: String, commonName: String, authorityName: String, notAfter: Date, kind: Kind = .x509) {
        self.serial = serial
        self.commonName = commonName
        self.authorityName = authorityName
        self.notAfter = notAfter
        self.kind = kind
    }
}

/// The expiry mail: which certificate, when it expires, and the commands that renew it or stop the mails.
public enum ExpiryNotice {
    public static func message(
        for certificate: ExpiringCertificate, daysLeft: Int, watcher: EmailAddress, from sender: EmailAddress, date: Date
    ) -> MailMessage {
        let days = daysLeft == 1 ? "1 day" : "\(daysLeft) days"
        if case .openSSH = certificate.kind {
            return openSSHMessage(for: certificate, days: days, daysLeft: daysLeft, watcher: watcher, from: sender, date: date)
        }
        let serial = SerialNumberText.colonSeparated(certificate.serial)
        let name = certificate.commonName.isEmpty ? serial : certificate.commonName
        let body = """
            The certificate \(name) expires in \(days).

              Common name: \(certificate.commonName.isEmpty ? "(none)" : certificate.commonName)
              Serial:      \(serial)
              CA:          \(certificate.authorityName)
              Expires:     \(HTTPDate.format(certificate.notAfter))
              Days left:   \(daysLeft)

            To renew it from the CSR and settings it was signed with, run on the CA's host:

                swift-ca resign-cert \(serial)

            or sign a new CSR: swift-ca sign-cert --ca "\(certificate.authorityName)" --csr <file>.

            You receive this mail because you watch this certificate. To stop watching it:

                swift-ca cert-watchers \(serial) --rm \(watcher.address)

            """
        return MailMessage(from: sender, to: [watcher], subject: "Certificate \(name) expires in \(days)", body: body, date: date)
    }

    static func openSSHMessage(
        for certificate: ExpiringCertificate, days: String, daysLeft: Int, watcher: EmailAddress, from sender: EmailAddress, date: Date
    ) -> MailMessage {
        let name = certificate.commonName.isEmpty ? certificate.serial : certificate.commonName
        let body = """
            The SSH certificate \(name) expires in \(days).

              Key id:      \(certificate.commonName)
              Serial:      \(certificate.serial)
              OpenSSH CA:  \(certificate.authorityName)
              Expires:     \(HTTPDate.format(certificate.notAfter))
              Days left:   \(daysLeft)

            To sign a new one for the same key, run on the CA's host:

                swift-ca sign-ssh-cert --ca "\(certificate.authorityName)" --public-key <key>.pub --type user|host --principal <name>

            You receive this mail because you watch this certificate. To stop watching it:

                swift-ca cert-watchers --ssh \(certificate.serial) --ca "\(certificate.authorityName)" --rm \(watcher.address)

            """
        return MailMessage(from: sender, to: [watcher], subject: "SSH certificate \(name) expires in \(days)", body: body, date: date)
    }
}
