import CACore
import Foundation
import SwiftASN1
import Testing
import X509

@Suite("Private Key Usage Period (RFC 3280 §4.2.1.4)")
struct PrivateKeyUsagePeriodTests {
    @Test("round trip with both bounds, either bound, and the exact DER of one bound")
    func roundTrip() throws {
        let start = Date(timeIntervalSince1970: 1_798_761_600)  // 2027-01-01T00:00:00Z
        let end = Date(timeIntervalSince1970: 1_814_400_000)  // 2027-07-01T00:00:00Z
        for period in [
            PrivateKeyUsagePeriod(notBefore: start, notAfter: end), PrivateKeyUsagePeriod(notBefore: start),
            PrivateKeyUsagePeriod(notAfter: end),
        ] {
            let ext = try period.makeCertificateExtension()
            #expect(!ext.critical && ext.oid == PrivateKeyUsagePeriod.oid)
            #expect(try PrivateKeyUsagePeriod(ext) == period)
        }
        // SEQUENCE { [1] IMPLICIT GeneralizedTime "20270701000000Z" }
        let onlyEnd = try PrivateKeyUsagePeriod(notAfter: end).makeCertificateExtension()
        #expect(Array(onlyEnd.value) == [0x30, 0x11, 0x81, 0x0F] + Array("20270701000000Z".utf8))
    }

    @Test("a period without bounds or ending before it begins is refused, encoded or decoded")
    func refusals() throws {
        #expect(throws: CAError.self) { try PrivateKeyUsagePeriod().makeCertificateExtension() }
        let start = Date(timeIntervalSince1970: 1_814_400_000)
        #expect(throws: CAError.self) {
            try PrivateKeyUsagePeriod(notBefore: start, notAfter: start.addingTimeInterval(-1)).makeCertificateExtension()
        }
        let empty = Certificate.Extension(oid: PrivateKeyUsagePeriod.oid, critical: false, value: [0x30, 0x00])
        #expect(throws: CAError.self) { try PrivateKeyUsagePeriod(empty) }
    }
}
