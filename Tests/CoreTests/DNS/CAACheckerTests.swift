import Foundation
import Testing
import CACore

/// An in-memory DNS for the checker: CAA records per name, names that fail, and a log of queries.
final class FakeCAAZone: @unchecked Sendable {
    // @unchecked: `queried` is only touched under `lock`.
    private let lock = NSLock()
    private var queriedNames: [String] = []
    private let records: [String: [CAARecord]]
    private let failures: [String: DNSLookupFailure]
    private let thrownErrors: Set<String>

    init(
        _ records: [String: [CAARecord]],
        failures: [String: DNSLookupFailure] = [:],
        throwing thrownErrors: Set<String> = []
    ) {
        self.records = records
        self.failures = failures
        self.thrownErrors = thrownErrors
    }

    var queried: [String] { lock.withLock { queriedNames } }

    func lookup(_ name: String) throws -> DNSLookupResult {
        lock.withLock { queriedNames.append(name) }
        if thrownErrors.contains(name) { throw CancellationError() }
        if let failure = failures[name] { return .failure(failure) }
        guard let found = records[name], !found.isEmpty else {
            return .noRecords(name.hasSuffix("example.com") ? .noError : .nameError)
        }
        return .records(found.map { DNSResourceRecord(name: name, timeToLive: 60, data: .caa($0)) })
    }

    func checker(issuers: [String] = ["ca.example.internal"]) -> CAAChecker {
        CAAChecker(issuerDomainNames: issuers) { name in try self.lookup(name) }
    }
}

private func issue(_ value: String, flags: UInt8 = 0) -> CAARecord {
    CAARecord(flags: flags, tag: "issue", value: value)
}

private func issuewild(_ value: String) -> CAARecord {
    CAARecord(flags: 0, tag: "issuewild", value: value)
}

private let account = "https://ca.example.internal/acme/acct/42"

@Suite struct CAACheckerTests {
    @Test func noRecordsAnywherePermitsAndStopsBelowTheRoot() async {
        let zone = FakeCAAZone([:])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "www.example.com."))
        #expect(decision.outcome == .permitted)
        #expect(decision.domain == nil)
        #expect(zone.queried == ["www.example.com", "example.com", "com"])
    }

    @Test func recordForThisCAPermits() async {
        let zone = FakeCAAZone(["www.example.com": [issue("ca.example.internal")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "www.example.com"))
        #expect(decision.permitsIssuance)
        #expect(decision.reason == "CAA issue record at www.example.com allows ca.example.internal to issue www.example.com")
    }

    @Test func recordForAnotherCAForbids() async {
        let zone = FakeCAAZone(["example.com": [issue("letsencrypt.org"), issue("pki.goog")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "example.com"))
        #expect(decision.outcome == .forbidden)
        #expect(decision.reason == "CAA issue record at example.com allows only letsencrypt.org, pki.goog to issue example.com")
    }

    @Test func climbsToTheParentAndStopsAtTheFirstSet() async {
        let zone = FakeCAAZone(["example.com": [issue("letsencrypt.org")], "com": [issue("ca.example.internal")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "a.b.example.com"))
        #expect(decision.outcome == .forbidden)
        #expect(decision.domain == "example.com")
        #expect(zone.queried == ["a.b.example.com", "b.example.com", "example.com"])
    }

    @Test func closestSetOverridesItsParent() async {
        let zone = FakeCAAZone(["www.example.com": [issue("ca.example.internal")], "example.com": [issue(";")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "www.example.com"))
        #expect(decision.permitsIssuance)
        #expect(zone.queried == ["www.example.com"])
    }

    @Test func emptyIssuerForbidsEveryCA() async {
        let zone = FakeCAAZone(["example.com": [issue(";")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "example.com"))
        #expect(decision.outcome == .forbidden)
        #expect(decision.reason == "CAA issue record at example.com forbids every CA to issue example.com")
    }

    @Test func wildcardUsesIssuewildWhenPresent() async {
        let zone = FakeCAAZone(["example.com": [issue("letsencrypt.org"), issuewild("ca.example.internal")]])
        let wildcard = await zone.checker().check(CAAIssuanceRequest(domainName: "*.example.com"))
        #expect(wildcard.permitsIssuance)
        #expect(zone.queried == ["example.com"])
        let plain = await zone.checker().check(CAAIssuanceRequest(domainName: "example.com"))
        #expect(plain.outcome == .forbidden)
    }

    @Test func issuewildCanForbidOnlyWildcards() async {
        let zone = FakeCAAZone(["example.com": [issue("ca.example.internal"), issuewild(";")]])
        let wildcard = await zone.checker().check(CAAIssuanceRequest(domainName: "*.example.com"))
        #expect(wildcard.outcome == .forbidden)
        #expect(wildcard.reason == "CAA issuewild record at example.com forbids every CA to issue wildcard certificates for example.com")
        #expect(await zone.checker().check(CAAIssuanceRequest(domainName: "www.example.com")).permitsIssuance)
    }

    @Test func wildcardFallsBackToIssue() async {
        let zone = FakeCAAZone(["example.com": [issue("letsencrypt.org")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "*.example.com"))
        #expect(decision.outcome == .forbidden)
        #expect(decision.reason.contains("allows only letsencrypt.org"))
    }

    @Test func accountURIMustMatchExactly() async {
        let zone = FakeCAAZone(["example.com": [issue("ca.example.internal; accounturi=\(account)")]])
        let checker = zone.checker()
        #expect(await checker.check(CAAIssuanceRequest(domainName: "example.com", accountURI: account)).permitsIssuance)
        let other = await checker.check(CAAIssuanceRequest(domainName: "example.com", accountURI: account + "3"))
        #expect(other.outcome == .forbidden)
        #expect(other.reason == "CAA issue record at example.com allows ca.example.internal to issue example.com only to the ACME account \(account)")
        let missing = await checker.check(CAAIssuanceRequest(domainName: "example.com"))
        #expect(missing.outcome == .forbidden)
    }

    @Test func validationMethodMustBeListed() async {
        let zone = FakeCAAZone(["example.com": [issue("ca.example.internal; validationmethods= dns-01 , tls-alpn-01")]])
        let checker = zone.checker()
        #expect(await checker.check(CAAIssuanceRequest(domainName: "example.com", validationMethod: "dns-01")).permitsIssuance)
        #expect(await checker.check(CAAIssuanceRequest(domainName: "example.com", validationMethod: "tls-alpn-01")).permitsIssuance)
        let http = await checker.check(CAAIssuanceRequest(domainName: "example.com", validationMethod: "http-01"))
        #expect(http.outcome == .forbidden)
        #expect(http.reason.hasSuffix("only with the validation methods dns-01 , tls-alpn-01"))
    }

    @Test func anyOneMatchingPropertyIsEnough() async {
        let zone = FakeCAAZone(["example.com": [
            issue("ca.example.internal; validationmethods=dns-01"),
            issue("ca.example.internal; accounturi=\(account)"),
        ]])
        let request = CAAIssuanceRequest(domainName: "example.com", accountURI: account, validationMethod: "http-01")
        #expect(await zone.checker().check(request).permitsIssuance)
    }

    @Test func criticalUnknownTagForbids() async {
        let zone = FakeCAAZone(["example.com": [issue("ca.example.internal"), CAARecord(flags: 128, tag: "tbs", value: "x")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "example.com"))
        #expect(decision.outcome == .forbidden)
        #expect(decision.reason.contains("critical property \"tbs\""))
    }

    @Test func nonCriticalUnknownTagsAndIodefAreIgnored() async {
        let zone = FakeCAAZone([
            "a.example.com": [CAARecord(flags: 0, tag: "futuretag", value: "x"), issue("ca.example.internal")],
            "b.example.com": [CAARecord(flags: 0, tag: "iodef", value: "mailto:security@example.com")],
            "c.example.com": [issue("ca.example.internal", flags: 128)],
        ])
        let checker = zone.checker()
        #expect(await checker.check(CAAIssuanceRequest(domainName: "a.example.com")).permitsIssuance)
        let iodefOnly = await checker.check(CAAIssuanceRequest(domainName: "b.example.com"))
        #expect(iodefOnly.permitsIssuance)
        #expect(iodefOnly.domain == "b.example.com")
        #expect(await checker.check(CAAIssuanceRequest(domainName: "c.example.com")).permitsIssuance)
    }

    @Test func tagsAndIssuerNamesCompareCaseInsensitively() async {
        let zone = FakeCAAZone(["example.com": [CAARecord(flags: 0, tag: "ISSUE", value: "CA.Example.Internal.")]])
        #expect(await zone.checker().check(CAAIssuanceRequest(domainName: "WWW.Example.COM")).permitsIssuance)
    }

    @Test func anyOfSeveralIssuerNamesMatches() async {
        let zone = FakeCAAZone(["example.com": [issue("legacy-name.example")]])
        let checker = zone.checker(issuers: ["ca.example.internal", "legacy-name.example"])
        #expect(await checker.check(CAAIssuanceRequest(domainName: "example.com")).permitsIssuance)
    }

    @Test func malformedValueNeverPermits() async {
        let zone = FakeCAAZone(["example.com": [issue("ca.example.internal; accounturi")]])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "example.com", accountURI: account))
        #expect(decision.outcome == .forbidden)
        #expect(decision.reason.contains("cannot be parsed"))
    }

    @Test func lookupFailureFailsClosed() async {
        let zone = FakeCAAZone(["com": [issue("ca.example.internal")]], failures: ["example.com": .serverError(.serverFailure)])
        let decision = await zone.checker().check(CAAIssuanceRequest(domainName: "www.example.com"))
        #expect(decision.outcome == .lookupFailed)
        #expect(!decision.permitsIssuance)
        #expect(decision.domain == "example.com")
        #expect(decision.reason == "CAA records for example.com could not be looked up (the DNS server answered SERVFAIL), so issuance is refused")
        #expect(zone.queried == ["www.example.com", "example.com"])
    }

    @Test func timeoutAndThrownErrorsFailClosed() async {
        let timedOut = FakeCAAZone([:], failures: ["example.com": .timeout])
        #expect(await timedOut.checker().check(CAAIssuanceRequest(domainName: "example.com")).outcome == .lookupFailed)
        let throwing = FakeCAAZone([:], throwing: ["example.com"])
        #expect(await throwing.checker().check(CAAIssuanceRequest(domainName: "example.com")).outcome == .lookupFailed)
    }

    @Test func candidateDomainsClimbToTheTopLevelDomain() {
        #expect(CAAChecker.candidateDomains(for: "Www.Example.com.") == ["www.example.com", "example.com", "com"])
        #expect(CAAChecker.candidateDomains(for: ".").isEmpty)
        #expect(CAAChecker.candidateDomains(for: "a..b").isEmpty)
    }
}
