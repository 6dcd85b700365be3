import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The address a probe connects to. Probes take resolved IP literals only, so that
/// DNS resolution (and its policy checks) stays with the caller and cannot happen twice.
struct ProbeEndpoint: Sendable {
    let socketAddress: SocketAddress
    /// "192.0.2.1:80" or "[2001:db8::1]:443", for messages.
    let displayName: String

    /// Returns nil when the address is not an IP literal or the port is out of range.
    init?(address: String, port: Int) {
        guard (1...65535).contains(port),
              let socketAddress = try? SocketAddress(ipAddress: address, port: port)
        else { return nil }
        self.socketAddress = socketAddress
        self.displayName = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// How a failed connection attempt is described to the probes' callers.
enum ConnectFailure {
    case refused
    case timedOut
    case other(String)

    init(_ error: any Error) {
        if let ioError = error as? IOError, ioError.errnoCode == ECONNREFUSED {
            self = .refused
        } else if case ChannelError.connectTimeout = error {
            self = .timedOut
        } else if let ioError = error as? IOError {
            // IOError's description names the failing system call, which is noise for a client.
            self = .other(String(cString: strerror(ioError.errnoCode)))
        } else {
            self = .other(String(describing: error))
        }
    }
}
