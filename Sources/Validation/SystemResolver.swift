import CACore
import CAACME
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// getaddrinfo, on NIO's blocking pool: the server runs Swift concurrency on its event loops, which must
/// never wait for a resolver.
enum SystemResolver {
    static func addresses(of name: String) async throws -> [String] {
        let pool = NIOThreadPool.singleton
        let result = try? await pool.runIfActive { () -> [String] in
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var entry: UnsafeMutablePointer<addrinfo>? = first
            while let current = entry {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !addresses.contains(text) { addresses.append(text) }
                }
                entry = current.pointee.ai_next
            }
            return addresses
        }
        guard let result, !result.isEmpty else { throw ACMEProblem(.dns, "\(name) does not resolve") }
        return result
    }
}
