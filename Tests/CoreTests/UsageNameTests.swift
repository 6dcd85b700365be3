import SwiftASN1
import Testing
import X509

@testable import CACore

@Suite("Key usage and extended key usage names")
struct UsageNameTests {
    @Test(arguments: [
        ("digitalSignature", KeyUsageName.digitalSignature),
        ("DIGITALSIGNATURE", .digitalSignature),
        ("digital_signature", .digitalSignature),
        ("Digital Signature", .digitalSignature),
        ("nonRepudiation", .nonRepudiation),
        ("contentCommitment", .nonRepudiation),
        ("content_commitment", .nonRepudiation),
        ("key_encipherment", .keyEncipherment),
        ("dataEncipherment", .dataEncipherment),
        ("key_agreement", .keyAgreement),
        ("keyCertSign", .keyCertSign),
        ("key_cert_sign", .keyCertSign),
        ("Certificate Sign", .keyCertSign),
        ("cRLSign", .cRLSign),
        ("crl_sign", .cRLSign),
        ("CRL Sign", .cRLSign),
        ("encipher_only", .encipherOnly),
        ("decipherOnly", .decipherOnly),
    ])
    func keyUsageNameSpellings(name: String, expected: KeyUsageName) throws {
        #expect(try KeyUsageName(parsing: name) == expected)
    }

    @Test func keyUsageFromNames() throws {
        let keyUsage = try KeyUsageName.keyUsage(from: ["keyCertSign", "crl_sign", "digitalSignature"])
        #expect(keyUsage == KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
        #expect(KeyUsageName.names(of: keyUsage) == ["digitalSignature", "keyCertSign", "cRLSign"])

        let all = try KeyUsageName.keyUsage(from: KeyUsageName.allCases.map(\.rawValue))
        #expect(KeyUsageName.names(of: all) == KeyUsageName.allCases.map(\.rawValue))
    }

    @Test func keyUsageErrors() throws {
        let error = #expect(throws: CAError.self) { try KeyUsageName.keyUsage(from: ["keyCertSign", "signEverything"]) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("signEverything") == true)
        #expect(error?.message.contains("keyCertSign, cRLSign") == true)
        #expect(throws: CAError.self) { try KeyUsageName.keyUsage(from: []) }
        #expect(throws: CAError.self) { try KeyUsageName.keyUsage(from: ["encipherOnly"]) }
        _ = try KeyUsageName.keyUsage(from: ["keyAgreement", "encipherOnly"])
    }

    @Test(arguments: [
        ("serverAuth", "1.3.6.1.5.5.7.3.1"),
        ("server_auth", "1.3.6.1.5.5.7.3.1"),
        ("TLS Web Server Authentication", "1.3.6.1.5.5.7.3.1"),
        ("clientAuth", "1.3.6.1.5.5.7.3.2"),
        ("client_auth", "1.3.6.1.5.5.7.3.2"),
        ("codeSigning", "1.3.6.1.5.5.7.3.3"),
        ("emailProtection", "1.3.6.1.5.5.7.3.4"),
        ("E-mail Protection", "1.3.6.1.5.5.7.3.4"),
        ("timeStamping", "1.3.6.1.5.5.7.3.8"),
        ("OCSPSigning", "1.3.6.1.5.5.7.3.9"),
        ("ocsp_signing", "1.3.6.1.5.5.7.3.9"),
        ("anyExtendedKeyUsage", "2.5.29.37.0"),
        ("any_extended_key_usage", "2.5.29.37.0"),
        ("smartcardLogon", "1.3.6.1.4.1.311.20.2.2"),
        ("msKDC", "1.3.6.1.5.2.3.5"),
        ("kerberos_pkinit_kdc", "1.3.6.1.5.2.3.5"),
        ("ipsecEndSystem", "1.3.6.1.5.5.7.3.5"),
        ("ipsecTunnel", "1.3.6.1.5.5.7.3.6"),
        ("ipsecUser", "1.3.6.1.5.5.7.3.7"),
        ("ipsecIKE", "1.3.6.1.5.5.7.3.17"),
        ("ipsec_ike", "1.3.6.1.5.5.7.3.17"),
        ("certificateTransparency", "1.3.6.1.4.1.11129.2.4.4"),
        ("bundleSecurity", "1.3.6.1.5.5.7.3.35"),
        ("mdlDS", "1.0.18013.5.1.2"),
        ("mdl_jws", "1.0.18013.5.1.3"),
        ("1.3.6.1.5.5.7.3.21", "1.3.6.1.5.5.7.3.21"),
        (" 1.2.3.4 ", "1.2.3.4"),
    ])
    func extendedKeyUsageNameSpellings(name: String, oid: String) throws {
        let usage = try ExtendedKeyUsageName.usage(named: name)
        #expect(ASN1ObjectIdentifier(usage).description == oid)
    }

    @Test func extendedKeyUsageFromNames() throws {
        let eku = try ExtendedKeyUsageName.extendedKeyUsage(from: ["serverAuth", "client_auth", "server_auth", "1.2.3.4"])
        #expect(Array(eku) == [.serverAuth, .clientAuth, ExtendedKeyUsage.Usage(oid: [1, 2, 3, 4])])
        #expect(ExtendedKeyUsageName.names(of: eku) == ["serverAuth", "clientAuth", "1.2.3.4"])
        // A dotted OID that has a name is printed by name.
        let named = try ExtendedKeyUsageName.extendedKeyUsage(from: ["1.3.6.1.5.5.7.3.9"])
        #expect(ExtendedKeyUsageName.names(of: named) == ["OCSPSigning"])
    }

    @Test func everyExtendedKeyUsageNameRoundTrips() throws {
        for name in ExtendedKeyUsageName.allCases {
            let usage = try ExtendedKeyUsageName.usage(named: name.rawValue)
            #expect(ExtendedKeyUsageName.name(of: usage) == name.rawValue)
            #expect(ExtendedKeyUsageName(oid: name.oid) == name)
        }
        let oids = ExtendedKeyUsageName.allCases.map(\.oid)
        #expect(Set(oids).count == oids.count)
    }

    @Test func extendedKeyUsageErrors() throws {
        let error = #expect(throws: CAError.self) { try ExtendedKeyUsageName.extendedKeyUsage(from: ["webServer"]) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("serverAuth") == true)
        #expect(error?.message.contains("dotted OID") == true)
        #expect(throws: CAError.self) { try ExtendedKeyUsageName.extendedKeyUsage(from: []) }
        #expect(throws: CAError.self) { try ExtendedKeyUsageName.usage(named: "1") }
        #expect(throws: CAError.self) { try ExtendedKeyUsageName.usage(named: "") }
    }
}

@Suite("django-ca 1.x critical prefix")
struct CriticalFlagParserTests {
    @Test func criticalInsideTheFirstValue() {
        let result = CriticalFlagParser.split(["critical,keyCertSign,cRLSign"])
        #expect(result.critical)
        #expect(result.values == ["keyCertSign", "cRLSign"])
    }

    @Test func criticalAsSeparateValue() {
        let result = CriticalFlagParser.split(["critical", "keyCertSign"])
        #expect(result.critical)
        #expect(result.values == ["keyCertSign"])
    }

    @Test func withoutCritical() {
        let result = CriticalFlagParser.split(["keyCertSign,cRLSign"])
        #expect(!result.critical)
        #expect(result.values == ["keyCertSign", "cRLSign"])
    }

    @Test func spacesEmptyPiecesAndCase() {
        let result = CriticalFlagParser.split([" CRITICAL , serverAuth,, clientAuth ", ""])
        #expect(result.critical)
        #expect(result.values == ["serverAuth", "clientAuth"])
        #expect(CriticalFlagParser.split([]) == (false, []))
        #expect(CriticalFlagParser.split(["critical"]) == (true, []))
    }

    @Test func onlyALeadingMarkerCounts() {
        let result = CriticalFlagParser.split(["serverAuth", "critical"])
        #expect(!result.critical)
        #expect(result.values == ["serverAuth", "critical"])
    }
}
