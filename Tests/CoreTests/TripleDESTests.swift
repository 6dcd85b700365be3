import Foundation
import Testing

@testable import CACore

@Suite("Triple DES", .timeLimit(.minutes(10)))
struct TripleDESTests {
    typealias Support = KeyTestSupport

    @Test("the FIPS 46-3 tables are consistent: IP⁻¹ inverts IP and every S-box row is a permutation of 0...15")
    func tables() {
        for (index, position) in DES.Tables.initialPermutation.enumerated() {
            #expect(DES.Tables.finalPermutation[Int(position) - 1] == UInt8(index + 1))
        }
        for box in DES.Tables.substitutionBoxes {
            #expect(box.count == 64)
            for row in 0..<4 {
                #expect(Set(box[(row * 16)..<(row * 16 + 16)]) == Set(0...15))
            }
        }
        #expect(DES.Tables.expansion.count == 48)
        #expect(Set(DES.Tables.permutation) == Set(1...32))
        #expect(DES.Tables.permutedChoice1.count == 56)
        #expect(DES.Tables.permutedChoice1.allSatisfy { $0 % 8 != 0 })  // the parity bits are dropped
        #expect(DES.Tables.permutedChoice2.count == 48)
        #expect(DES.Tables.keyRotations.reduce(0, +) == 28)
    }

    /// (key, plaintext, ciphertext) for single DES.
    static let desVectors: [(UInt64, UInt64, UInt64)] = [
        // The worked example of J. Orlin Grabbe's "The DES Algorithm Illustrated".
        (0x1334_5779_9BBC_DFF1, 0x0123_4567_89AB_CDEF, 0x85E8_1354_0F0A_B405),
        // "Now is t" (FIPS 81 / Schneier).
        (0x0123_4567_89AB_CDEF, 0x4E6F_7720_6973_2074, 0x3FA4_0E8A_984D_4815),
        // NIST SP 800-17, variable plaintext, first entry.
        (0x0101_0101_0101_0101, 0x8000_0000_0000_0000, 0x95F8_A5E5_DD31_D900),
        // All zeros: the parity bits of the key do not matter.
        (0x0000_0000_0000_0000, 0x0000_0000_0000_0000, 0x8CA6_4DE9_C1B1_23A7),
        (0x0101_0101_0101_0101, 0x0000_0000_0000_0000, 0x8CA6_4DE9_C1B1_23A7),
    ]

    @Test("single DES known answers, both directions", arguments: 0..<desVectors.count)
    func desKnownAnswers(_ index: Int) {
        let (key, plaintext, ciphertext) = Self.desVectors[index]
        let des = DES(key: key)
        #expect(des.encryptBlock(plaintext) == ciphertext)
        #expect(des.decryptBlock(ciphertext) == plaintext)
    }

    @Test("three-key triple DES known answer of NIST SP 800-67 (ECB)")
    func tripleDESKnownAnswer() {
        let key = Support.bytes(hex: "0123456789ABCDEF" + "23456789ABCDEF01" + "456789ABCDEF0123")
        let plaintext = Array("The qufck brown fox jump".utf8)
        let ciphertext = Support.bytes(hex: "A826FD8CE53B855F" + "CCE21C8112256FE6" + "68D5C05DD9B6B900")
        let cipher = TripleDES(key: key)
        for start in stride(from: 0, to: 24, by: 8) {
            let block = DES.block(plaintext[start..<(start + 8)])
            let expected = DES.block(ciphertext[start..<(start + 8)])
            #expect(cipher.encryptBlock(block) == expected)
            #expect(cipher.decryptBlock(expected) == block)
        }
    }

    @Test("with three equal keys, triple DES is single DES")
    func degeneratesToDES() {
        for (key, plaintext, ciphertext) in Self.desVectors {
            let bytes = DES.bytes(key)
            #expect(TripleDES(key: bytes + bytes + bytes).encryptBlock(plaintext) == ciphertext)
        }
    }

    @Test(
        "decrypts what `openssl enc -des-ede3-cbc` encrypts",
        arguments: [0, 1, 7, 8, 9, 15, 16, 100, 1219, 4096]
    )
    func matchesOpenSSL(_ length: Int) throws {
        try Support.withTemporaryDirectory { directory in
            var generator = SystemRandomNumberGenerator()
            let key = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let iv = (0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let plaintext = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let input = directory.appendingPathComponent("plain.bin")
            try Data(plaintext).write(to: input)

            let ciphertext = try Support.requireOpenSSL([
                "enc", "-des-ede3-cbc", "-K", Support.hex(key), "-iv", Support.hex(iv), "-in", input.path,
            ]).output
            // PKCS#7 always adds 1 to 8 bytes.
            #expect(ciphertext.count == (length / 8 + 1) * 8)
            #expect(try TripleDESCBC.decrypt(ciphertext, key: key, iv: iv) == plaintext)
        }
    }

    @Test(
        "invalid padding is reported as such",
        arguments: [
            "0000000000000000",  // 0 is not a padding length
            "0000000000000009",  // longer than a block
            "0000000000030203",  // the padding bytes differ
            "0000000000000202" + "0000000000000010",
        ]
    )
    func badPadding(_ plaintextHex: String) throws {
        try Support.withTemporaryDirectory { directory in
            let key = Support.bytes(hex: "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123")
            let iv = Support.bytes(hex: "1122334455667788")
            let input = directory.appendingPathComponent("plain.bin")
            try Data(Support.bytes(hex: plaintextHex)).write(to: input)
            let ciphertext = try Support.requireOpenSSL([
                "enc", "-des-ede3-cbc", "-nopad", "-K", Support.hex(key), "-iv", Support.hex(iv), "-in", input.path,
            ]).output

            #expect(throws: TripleDESCBC.Failure.badPadding) {
                try TripleDESCBC.decrypt(ciphertext, key: key, iv: iv)
            }
        }
    }

    @Test("padding of a full block is removed")
    func fullBlockPadding() throws {
        #expect(try TripleDESCBC.removePadding([1, 2, 3, 8, 8, 8, 8, 8, 8, 8, 8]) == [1, 2, 3])
        #expect(try TripleDESCBC.removePadding([8, 8, 8, 8, 8, 8, 8, 8]) == [])
        #expect(throws: TripleDESCBC.Failure.badPadding) { try TripleDESCBC.removePadding([]) }
        #expect(throws: TripleDESCBC.Failure.badPadding) { try TripleDESCBC.removePadding([2]) }
    }

    @Test("wrong lengths are refused before any decryption")
    func lengths() {
        let key = [UInt8](repeating: 1, count: 24)
        let iv = [UInt8](repeating: 2, count: 8)
        #expect(throws: TripleDESCBC.Failure.keyLength(16)) {
            try TripleDESCBC.decrypt([UInt8](repeating: 0, count: 8), key: Array(key.prefix(16)), iv: iv)
        }
        #expect(throws: TripleDESCBC.Failure.initializationVectorLength(16)) {
            try TripleDESCBC.decrypt([UInt8](repeating: 0, count: 8), key: key, iv: iv + iv)
        }
        #expect(throws: TripleDESCBC.Failure.ciphertextLength(0)) {
            try TripleDESCBC.decrypt([], key: key, iv: iv)
        }
        #expect(throws: TripleDESCBC.Failure.ciphertextLength(12)) {
            try TripleDESCBC.decrypt([UInt8](repeating: 0, count: 12), key: key, iv: iv)
        }
    }
}
