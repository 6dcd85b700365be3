import CACore
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Delivers mail over SMTP (RFC 5321) as the CA_EMAIL_* settings say: plain, upgraded with STARTTLS
/// (RFC 3207) or TLS from the start (RFC 8314), with AUTH PLAIN or LOGIN when a user is set.
///
/// Each message has its own connection: notification runs send a few mails, and a message that fails
/// cannot leave a session in a state the next one must recover from.
public struct SMTPTransport: MailTransport {
    let settings: EmailSettings
    let host: String
    let eventLoopGroup: any EventLoopGroup
    /// Present when either kind of TLS is configured.
    let tlsContext: NIOSSLContext?

    public init(settings: EmailSettings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        guard let host = settings.host else {
            throw CAError(.invalidInput, "CA_EMAIL_HOST is not set, so no mail can be sent")
        }
        self.settings = settings
        self.host = host
        self.eventLoopGroup = eventLoopGroup
        tlsContext = settings.useImplicitTLS || settings.useSTARTTLS ? try Self.tlsContext(caFile: settings.tlsCAFile) : nil
    }

    public func send(_ message: MailMessage) async throws(MailDeliveryError) {
        let endpoint = "\(host):\(settings.effectivePort)"
        let session: SMTPSession
        do {
            session = try await SMTPSession.open(
                host: host, port: settings.effectivePort, implicitTLS: settings.useImplicitTLS ? tlsContext : nil,
                timeout: .seconds(Int64(settings.timeout)), eventLoopGroup: eventLoopGroup)
        } catch {
            throw MailDeliveryError(.server, "cannot connect to the SMTP server \(endpoint): \(Self.describe(error))")
        }
        do {
            try await session.deliver(message, settings: settings, startTLS: settings.useSTARTTLS ? tlsContext : nil)
            await session.quit()
        } catch let error as MailDeliveryError {
            await session.close()
            throw MailDeliveryError(error.scope, "SMTP server \(endpoint): \(error.message)")
        } catch {
            await session.close()
            throw MailDeliveryError(.server, "SMTP server \(endpoint): \(Self.describe(error))")
        }
    }

    /// The system's trust store, or only the certificates of CA_EMAIL_TLS_CA_FILE.
    static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw CAError(.invalidInput, "CA_EMAIL_TLS_CA_FILE \(caFile) holds no certificate") }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as CAError {
                throw error
            } catch {
                throw CAError(.invalidInput, "cannot read CA_EMAIL_TLS_CA_FILE \(caFile): \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw CAError(.invalidInput, "cannot set up TLS for mail: \(error)")
        }
    }

    /// One line for a log: the errno text of a refused connection rather than NIO's nested description.
    static func describe(_ error: any Error) -> String {
        switch error {
        case is SMTPSessionTimedOut: return "no answer within the time limit (CA_EMAIL_TIMEOUT)"
        case is SMTPConnectionClosed: return "the server closed the connection"
        case let protocolError as SMTPProtocolError: return protocolError.reason
        case let ioError as IOError: return String(cString: strerror(ioError.errnoCode))
        case let connectionError as NIOConnectionError:
            if let first = connectionError.connectionErrors.first { return describe(first.error) }
            return "the name does not resolve"
        case ChannelError.connectTimeout: return "no connection within the time limit (CA_EMAIL_TIMEOUT)"
        case let sslError as NIOSSLError: return "TLS failed: \(sslError)"
        case let sslError as BoringSSLError: return "TLS failed: \(sslError)"
        default: return String(describing: error)
        }
    }
}
