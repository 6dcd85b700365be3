import Foundation

/// The facts of a watched certificate that an expiry mail tells.
public struct ExpiringCertificate: Sendable, Equatable {
    /// Upper-case hex, as stored.
    public var serial: String
    public var commonName: String
    public var authorityName: String
    public var notAfter: Date

    public init(serial: String, commonName: String, authorityName: String, notAfter: Date) {
        self.serial = serial
        self.commonName = commonName
        self.authorityName = authorityName
        self.notAfter = notAfter
    }
}

/// The expiry mail: which certificate, when it expires, and the commands that renew it or stop the mails.
public enum ExpiryNotice {
    public static func message(
        for certificate: ExpiringCertificate, daysLeft: Int, watcher: EmailAddress, from sender: EmailAddress, date: Date
    ) -> MailMessage {
        let serial = SerialNumberText.colonSeparated(certificate.serial)
        let name = certificate.commonName.isEmpty ? serial : certificate.commonName
        let days = daysLeft == 1 ? "1 day" : "\(daysLeft) days"
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
}
