// DES (FIPS 46-3) and three-key triple DES in EDE form (NIST SP 800-67), decryption in CBC mode only.
//
// swift-crypto has no DES, yet OpenSSL 3.0 still protects keys with it by default: `openssl req -newkey`
// writes PBES2 with des-ede3-cbc and `openssl genrsa -des3` writes traditional PEM encryption. swift-ca only
// has to read such files, so nothing here encrypts a message.
//
// The S-box lookups are indexed by secret data, so this code is not constant time. It runs once when a key
// file is loaded, on the machine that holds the file, which gives an attacker no useful timing channel.

/// Three-key triple DES in CBC mode with PKCS#7 padding, as `openssl enc -des-ede3-cbc` writes it.
enum TripleDESCBC {
    static let keyByteCount = 24
    static let blockByteCount = 8

    enum Failure: Error, Equatable {
        case keyLength(Int)
        case initializationVectorLength(Int)
        /// The ciphertext is empty or not a whole number of blocks: damage, not a wrong key.
        case ciphertextLength(Int)
        /// The last block does not end in valid PKCS#7 padding, which almost always means a wrong key.
        case badPadding
    }

    /// Decrypts `ciphertext` and strips its padding.
    ///
    /// - Parameters:
    ///   - key: 24 bytes, K1 || K2 || K3; the DES parity bits are ignored, as OpenSSL ignores them.
    ///   - iv: The 8-byte initialization vector.
    static func decrypt(_ ciphertext: [UInt8], key: [UInt8], iv: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == keyByteCount else {
            throw .keyLength(key.count)
        }
        guard iv.count == blockByteCount else {
            throw .initializationVectorLength(iv.count)
        }
        guard !ciphertext.isEmpty, ciphertext.count % blockByteCount == 0 else {
            throw .ciphertextLength(ciphertext.count)
        }

        let cipher = TripleDES(key: key)
        var previous = DES.block(iv[...])
        var plaintext = [UInt8]()
        plaintext.reserveCapacity(ciphertext.count)
        for start in stride(from: 0, to: ciphertext.count, by: blockByteCount) {
            let block = DES.block(ciphertext[start..<(start + blockByteCount)])
            plaintext += DES.bytes(cipher.decryptBlock(block) ^ previous)
            previous = block
        }
        return try removePadding(plaintext)
    }

    /// PKCS#7: the last byte n (1 to 8) says how many bytes of value n end the message.
    static func removePadding(_ padded: [UInt8]) throws(Failure) -> [UInt8] {
        guard let last = padded.last, (1...blockByteCount).contains(Int(last)), padded.count >= Int(last),
            padded.suffix(Int(last)).allSatisfy({ $0 == last })
        else {
            throw .badPadding
        }
        return Array(padded.dropLast(Int(last)))
    }
}

/// Three-key triple DES on single blocks: encryption is E(K3, D(K2, E(K1, x))), so decryption is
/// D(K1, E(K2, D(K3, y))).
struct TripleDES {
    let first: DES
    let second: DES
    let third: DES

    /// - Parameter key: 24 bytes; the caller checks the length.
    init(key: [UInt8]) {
        first = DES(key: DES.block(key[0..<8]))
        second = DES(key: DES.block(key[8..<16]))
        third = DES(key: DES.block(key[16..<24]))
    }

    func encryptBlock(_ block: UInt64) -> UInt64 {
        third.encryptBlock(second.decryptBlock(first.encryptBlock(block)))
    }

    func decryptBlock(_ block: UInt64) -> UInt64 {
        first.decryptBlock(second.encryptBlock(third.decryptBlock(block)))
    }
}

/// Single DES on 64-bit blocks, held big-endian in a `UInt64` so that FIPS 46-3's bit 1 is the most
/// significant bit.
struct DES {
    /// The 16 round keys K1...K16, 48 bits each.
    let roundKeys: [UInt64]

    /// Runs the key schedule: PC-1 keeps 56 of the 64 key bits (the parity bits drop out), then each round
    /// rotates both 28-bit halves and PC-2 picks 48 bits.
    init(key: UInt64) {
        let selected = DES.permute(key, width: 64, table: Tables.permutedChoice1)
        var upper = selected >> 28
        var lower = selected & 0x0FFF_FFFF
        var roundKeys = [UInt64]()
        roundKeys.reserveCapacity(16)
        for shift in Tables.keyRotations {
            upper = DES.rotate28(upper, by: shift)
            lower = DES.rotate28(lower, by: shift)
            roundKeys.append(DES.permute((upper << 28) | lower, width: 56, table: Tables.permutedChoice2))
        }
        self.roundKeys = roundKeys
    }

    func encryptBlock(_ block: UInt64) -> UInt64 {
        DES.crypt(block, roundKeys: roundKeys)
    }

    /// Decryption is the same network with the round keys in reverse order.
    func decryptBlock(_ block: UInt64) -> UInt64 {
        DES.crypt(block, roundKeys: roundKeys.reversed())
    }

    private static func crypt(_ block: UInt64, roundKeys: some Sequence<UInt64>) -> UInt64 {
        let permuted = permute(block, width: 64, table: Tables.initialPermutation)
        var left = permuted >> 32
        var right = permuted & 0xFFFF_FFFF
        for roundKey in roundKeys {
            (left, right) = (right, left ^ cipherFunction(right, roundKey))
        }
        // The halves are swapped once more after round 16 (the "preoutput" R16 L16).
        return permute((right << 32) | left, width: 64, table: Tables.finalPermutation)
    }

    /// f(R, K): expand R to 48 bits, mix in the round key, substitute through the eight S-boxes, permute.
    private static func cipherFunction(_ right: UInt64, _ roundKey: UInt64) -> UInt64 {
        let mixed = permute(right, width: 32, table: Tables.expansion) ^ roundKey
        var substituted: UInt64 = 0
        for (index, box) in Tables.substitutionBoxes.enumerated() {
            let chunk = Int((mixed >> UInt64(42 - 6 * index)) & 0x3F)
            // The outer bits b1 and b6 choose the row, the inner four the column.
            let row = ((chunk >> 4) & 0b10) | (chunk & 1)
            let column = (chunk >> 1) & 0xF
            substituted = (substituted << 4) | UInt64(box[row * 16 + column])
        }
        return permute(substituted, width: 32, table: Tables.permutation)
    }

    /// Applies a FIPS 46-3 selection table: output bit i is input bit `table[i]`, both counted from 1 at
    /// the most significant end of an input `width` bits wide.
    static func permute(_ input: UInt64, width: Int, table: [UInt8]) -> UInt64 {
        var output: UInt64 = 0
        for position in table {
            output = (output << 1) | ((input >> UInt64(width - Int(position))) & 1)
        }
        return output
    }

    private static func rotate28(_ half: UInt64, by count: Int) -> UInt64 {
        ((half << UInt64(count)) | (half >> UInt64(28 - count))) & 0x0FFF_FFFF
    }

    /// Eight bytes, most significant first; the caller passes exactly eight.
    static func block(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    static func bytes(_ block: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: block >> UInt64(56 - 8 * $0)) }
    }
}

extension DES {
    /// The tables of FIPS 46-3, copied in the standard's own layout and 1-based bit numbering so that they
    /// can be checked against it line by line.
    enum Tables {
        static let initialPermutation: [UInt8] = [
            58, 50, 42, 34, 26, 18, 10, 2,
            60, 52, 44, 36, 28, 20, 12, 4,
            62, 54, 46, 38, 30, 22, 14, 6,
            64, 56, 48, 40, 32, 24, 16, 8,
            57, 49, 41, 33, 25, 17, 9, 1,
            59, 51, 43, 35, 27, 19, 11, 3,
            61, 53, 45, 37, 29, 21, 13, 5,
            63, 55, 47, 39, 31, 23, 15, 7,
        ]

        /// IP⁻¹.
        static let finalPermutation: [UInt8] = [
            40, 8, 48, 16, 56, 24, 64, 32,
            39, 7, 47, 15, 55, 23, 63, 31,
            38, 6, 46, 14, 54, 22, 62, 30,
            37, 5, 45, 13, 53, 21, 61, 29,
            36, 4, 44, 12, 52, 20, 60, 28,
            35, 3, 43, 11, 51, 19, 59, 27,
            34, 2, 42, 10, 50, 18, 58, 26,
            33, 1, 41, 9, 49, 17, 57, 25,
        ]

        /// E: 32 bits to 48.
        static let expansion: [UInt8] = [
            32, 1, 2, 3, 4, 5,
            4, 5, 6, 7, 8, 9,
            8, 9, 10, 11, 12, 13,
            12, 13, 14, 15, 16, 17,
            16, 17, 18, 19, 20, 21,
            20, 21, 22, 23, 24, 25,
            24, 25, 26, 27, 28, 29,
            28, 29, 30, 31, 32, 1,
        ]

        /// P.
        static let permutation: [UInt8] = [
            16, 7, 20, 21,
            29, 12, 28, 17,
            1, 15, 23, 26,
            5, 18, 31, 10,
            2, 8, 24, 14,
            32, 27, 3, 9,
            19, 13, 30, 6,
            22, 11, 4, 25,
        ]

        /// S1 to S8, each four rows of sixteen.
        static let substitutionBoxes: [[UInt8]] = [
            [
                14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
                0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
                4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
                15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
            ],
            [
                15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
                3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
                0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
                13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
            ],
            [
                10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
                13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
                13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
                1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
            ],
            [
                7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
                13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
                10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
                3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
            ],
            [
                2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
                14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
                4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
                11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
            ],
            [
                12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
                10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
                9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
                4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
            ],
            [
                4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
                13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
                1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
                6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
            ],
            [
                13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
                1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
                7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
                2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
            ],
        ]

        /// PC-1: 64 key bits to 56, C0 then D0.
        static let permutedChoice1: [UInt8] = [
            57, 49, 41, 33, 25, 17, 9,
            1, 58, 50, 42, 34, 26, 18,
            10, 2, 59, 51, 43, 35, 27,
            19, 11, 3, 60, 52, 44, 36,
            63, 55, 47, 39, 31, 23, 15,
            7, 62, 54, 46, 38, 30, 22,
            14, 6, 61, 53, 45, 37, 29,
            21, 13, 5, 28, 20, 12, 4,
        ]

        /// PC-2: 56 bits of CnDn to the 48-bit round key.
        static let permutedChoice2: [UInt8] = [
            14, 17, 11, 24, 1, 5,
            3, 28, 15, 6, 21, 10,
            23, 19, 12, 4, 26, 8,
            16, 7, 27, 20, 13, 2,
            41, 52, 31, 37, 47, 55,
            30, 40, 51, 45, 33, 48,
            44, 49, 39, 56, 34, 53,
            46, 42, 50, 36, 29, 32,
        ]

        /// Left rotations of C and D before each of the 16 rounds.
        static let keyRotations: [Int] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1]
    }
}
