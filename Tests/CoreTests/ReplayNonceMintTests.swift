import Foundation
import Testing
@testable import CACore

@Suite struct ReplayNonceMintTests {
    let secret = Array(repeating: UInt8(7), count: 32)

    @Test func aNonceCarriesItsExpiryAndIsUniqueAndURLSafe() {
        let mint = ReplayNonceMint(secret: secret)
        let expiry = Date(timeIntervalSince1970: 1_800_000_000)
        let first = mint.make(expiresAt: expiry)
        let second = mint.make(expiresAt: expiry)
        #expect(first != second)
        #expect(mint.expiry(of: first) == expiry)
        #expect(first.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func anythingTheMintDidNotMakeIsRefused() {
        let mint = ReplayNonceMint(secret: secret)
        let nonce = mint.make(expiresAt: Date())
        #expect(ReplayNonceMint(secret: Array(repeating: 8, count: 32)).expiry(of: nonce) == nil, "another secret")
        var bytes = Base64URL.decode(nonce) ?? []
        bytes[3] ^= 1
        #expect(mint.expiry(of: Base64URL.encode(bytes)) == nil, "a changed expiry")
        #expect(mint.expiry(of: String(nonce.dropLast(2))) == nil)
        #expect(mint.expiry(of: "not base64!") == nil)
        #expect(mint.expiry(of: "") == nil)
    }
}
