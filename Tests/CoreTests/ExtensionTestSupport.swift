import Foundation
import SwiftASN1
import X509

@testable import CACore

/// Helpers for the extension tests, kept in one namespace so they cannot clash with helpers of
/// other test files in CoreTests.
enum ExtensionTestSupport {
    /// Encodes `value` as an extension, reads it back with `parse` and returns both.
    static func roundTrip<Value>(
        _ value: Value,
        critical: Bool? = nil,
        parse: (Certificate.Extension) throws -> Value
    ) throws -> (ext: Certificate.Extension, parsed: Value) where Value: CertificateExtensionConvertible {
        var ext = try value.makeCertificateExtension()
        if let critical {
            ext.critical = critical
        }
        return (ext, try parse(ext))
    }

    static func der(_ build: (inout DER.Serializer) throws -> Void) rethrows -> ArraySlice<UInt8> {
        var serializer = DER.Serializer()
        try build(&serializer)
        return serializer.serializedBytes[...]
    }

    static func makeTemporaryDirectory() throws -> URL {
        try OpenSSLProcess.makeTemporaryDirectory(prefix: "swift-ca-extension-tests")
    }

    struct ProcessResult {
        var status: Int32
        var output: String
    }

    /// Runs `openssl` with `arguments`, returning its exit status and combined output.
    static func openssl(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        let result = try OpenSSLProcess.run(arguments, in: directory)
        return ProcessResult(status: result.status, output: result.text + result.errorOutput)
    }

    /// A small deterministic generator (SplitMix64) so that a failing fuzz case can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        private var state: UInt64

        init(seed: UInt64) {
            self.state = seed
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }
}
