// swift-tools-version: 6.0
import PackageDescription

// Modules are split by role (see docs/architecture.md). Dependencies point one way:
// CLI -> Server -> (RESTAPI, WebUI) -> (Access, Authority) -> (Store, Core); Mail (SMTP over NIO) -> Core. Core has no NIO so that its tests build quickly.
let package = Package(
    name: "swift-ca",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "swift-ca", targets: ["CACommandLine"]),
        .library(name: "CACore", targets: ["CACore"]),
        // The ACME load driver of benchmarks/acme (compiled, so that the client takes little of the CPU).
        .executable(name: "swift-ca-acme-load", targets: ["ACMELoadDriver"]),
        // libFuzzer targets for the parsers of outside input (docs/fuzzing.md); without -DFUZZING a replay tool.
        .executable(name: "swift-ca-fuzz", targets: ["FuzzRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "4.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Typed HTTP parts for the request deadline handler (Hummingbird's own dependency).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // django-ca's settings files are YAML (issue 14); Yams is libyaml with a Swift face and no other dependency.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "CACore",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Sources/Core"
        ),
        // The system's libsqlite3 (Debian's libsqlite3-dev), called directly: statements run on the thread of their
        // transaction and stay prepared.
        .systemLibrary(name: "CSQLite3", path: "Sources/CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // swift-ca's own SQLite driver over CSQLite3, a module of its own so that the system's sqlite3.h never meets
        // the copy sqlite-kit brings (their struct definitions differ).
        .target(name: "CASQLite", dependencies: ["CSQLite3"], path: "Sources/SQLite"),
        // PKCS#11 declarations (p11-kit's header); the token's module itself is opened with dlopen at run time.
        .systemLibrary(name: "CPKCS11", path: "Sources/CPKCS11", pkgConfig: "p11-kit-1", providers: [.apt(["libp11-kit-dev"])]),
        // CA keys in hardware security modules: the PKCS#11 key backend (issue 15).
        .target(
            name: "CAHSM",
            dependencies: [
                "CACore", "CPKCS11",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Sources/HSM"
        ),
        .target(
            name: "CAStore",
            dependencies: [
                "CACore", "CASQLite",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Store"
        ),
        .target(
            name: "CAAuthority",
            dependencies: [
                "CACore", "CAStore", "CAHSM",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/Authority"
        ),
        .target(
            name: "CAACME",
            dependencies: [
                "CACore", "CAStore", "CAAuthority", .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/ACME"
        ),
        .target(
            name: "CAValidation",
            dependencies: [
                "CACore", "CAStore", "CAACME",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Validation"
        ),
        .target(
            name: "CAMail",
            dependencies: [
                "CACore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/Mail"
        ),
        .target(
            name: "CAAccess",
            dependencies: [
                "CACore", "CAStore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Access"
        ),
        .target(
            name: "CARESTAPI",
            dependencies: [
                "CACore", "CAStore", "CAAuthority", "CAAccess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/RESTAPI",
            // The spec is compiled into the binary: the server serves exactly the file in the repository.
            resources: [.embedInCode("openapi.yaml")]
        ),
        .target(
            name: "CAWebUI",
            dependencies: [
                "CACore", "CAStore", "CAAuthority", "CAAccess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Sources/WebUI"
        ),
        .target(
            name: "CAServer",
            dependencies: [
                "CACore", "CAStore", "CAAuthority", "CAACME", "CAValidation", "CAMail", "CAAccess", "CARESTAPI", "CAWebUI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Sources/Server"
        ),
        .executableTarget(
            name: "CACommandLine",
            dependencies: [
                "CAAuthority", "CAServer", "CAACME", "CAMail", "CAAccess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/CLI",
            linkerSettings: [
                // Release binaries are linked by lld with their relative relocations packed (DT_RELR, glibc 2.36
                // and later): the static binary has about 150,000 of them, and reading 3.5 MB of RELA entries at
                // every start was a fifth of `swift-ca --version`.
                .unsafeFlags(
                    ["-Xclang-linker", "-fuse-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                    .when(platforms: [.linux], configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "ACMELoadDriver",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "benchmarks/acme/LoadDriver"
        ),
        // The parsers under fuzzing, one function per target; only the modules those parsers live in.
        .target(
            name: "CAFuzzTargets",
            dependencies: [
                "CACore", "CAHSM", "CPKCS11",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/Fuzz/Targets"
        ),
        .executableTarget(name: "FuzzRunner", dependencies: ["CAFuzzTargets"], path: "Tests/Fuzz/Runner"),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["CAFuzzTargets"], path: "Tests/Fuzz/RegressionTests"),
        .testTarget(name: "CoreTests", dependencies: ["CACore", "TestSupport"], path: "Tests/CoreTests", exclude: ["Fixtures"]),
        .testTarget(
            name: "ValidationTests",
            dependencies: [
                "CAValidation", "CACore", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/ValidationTests"
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "StoreTests",
            dependencies: ["CAStore", "CACore", "TestSupport", .product(name: "SQLiteKit", package: "sqlite-kit")],
            path: "Tests/StoreTests"
        ),
        .testTarget(
            name: "AuthorityTests",
            dependencies: [
                "CAAuthority", "CAStore", "CACore", "TestSupport", .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/AuthorityTests"
        ),
        .testTarget(
            name: "TokenTests",
            dependencies: ["CAHSM", "CACore", "TestSupport", .product(name: "X509", package: "swift-certificates")],
            path: "Tests/TokenTests"
        ),
        .testTarget(
            name: "AccessTests",
            dependencies: ["CAAccess", "CAStore", "CACore", "TestSupport"],
            path: "Tests/AccessTests"
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["CACommandLine", "CACore", "TestSupport"],
            path: "Tests/EndToEndTests",
            exclude: ["Judges"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
