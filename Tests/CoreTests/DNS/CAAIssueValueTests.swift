import Testing
import CACore

@Suite struct CAAIssueValueTests {
    @Test func parsesIssuerAndParametersToleratingWhitespace() throws {
        let value = try CAAIssueValue(parsing: " \tCA.Example.  ;  accounturi = https://ca.example/acct/1 ;; validationmethods=dns-01,http-01 ; ")
        #expect(value.issuerDomainName == "ca.example")
        #expect(value.parameters == [
            .init(tag: "accounturi", value: "https://ca.example/acct/1"),
            .init(tag: "validationmethods", value: "dns-01,http-01"),
        ])
        #expect(value.values(of: "AccountURI") == ["https://ca.example/acct/1"])
    }

    @Test(arguments: ["", ";", "  ;  ", "; foo=bar"])
    func valuesWithoutAnIssuerNameNobody(text: String) throws {
        #expect(try CAAIssueValue(parsing: text).issuerDomainName == nil)
    }

    @Test(arguments: ["ca example", "-ca.example", "ca..example", "ca.example; accounturi", "ca.example; =x", "ca.example; a=b\u{7}c", "ca.example; a=bé"])
    func malformedValuesThrow(text: String) {
        #expect(throws: CAAValueError.self) { try CAAIssueValue(parsing: text) }
    }
}
