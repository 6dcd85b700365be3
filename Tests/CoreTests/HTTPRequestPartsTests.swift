import CACore
import Foundation
import Testing

/// The parts of a request the server reads itself: the Authorization header and an OCSP GET's path.
@Suite struct HTTPRequestPartsTests {
    @Test func authorizationSchemes() throws {
        #expect(try AuthorizationHeader(parsing: "Bearer sca_abc") == .bearer(token: "sca_abc"))
        #expect(try AuthorizationHeader(parsing: "bearer   sca_abc  ") == .bearer(token: "sca_abc"))
        let basic = "Basic " + Data("robot:pa:ss wörd".utf8).base64EncodedString()
        #expect(try AuthorizationHeader(parsing: basic) == .basic(name: "robot", password: "pa:ss wörd"))
        #expect(try AuthorizationHeader(parsing: "BASIC " + Data("robot:".utf8).base64EncodedString()) == .basic(name: "robot", password: ""))
    }

    @Test(arguments: [
        ("Bearer", "the Authorization header is malformed"),
        ("", "the Authorization header is malformed"),
        ("Basic !!!", "the Basic credentials are malformed"),
        ("Basic " + Data("no colon".utf8).base64EncodedString(), "the Basic credentials are malformed"),
        ("Basic " + Data([0xff, 0x3a, 0xfe]).base64EncodedString(), "the Basic credentials are malformed"),
        ("Digest username=x", "use Bearer with an API token or Basic with a user name and password"),
    ])
    func malformedAuthorizationIsOneClearError(header: String, message: String) throws {
        let error = try #require(throws: CAError.self) { try AuthorizationHeader(parsing: header) }
        #expect(error.message == message)
    }

    @Test func ocspGetPathReadsEveryEncodingClientsSend() throws {
        let request: [UInt8] = [0x30, 0x03, 0xfb, 0xef, 0xff, 0x3e]
        let base64 = Data(request).base64EncodedString()
        #expect(base64.contains("+") && base64.contains("/"), "the example needs both characters")
        let escaped = base64.replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "+", with: "%2B")
        let url = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        for text in [base64, escaped, url, base64.replacingOccurrences(of: "+", with: " ")] {
            #expect(OCSPGetPath.requestBytes(text) == request, "\(text)")
        }
        #expect(OCSPGetPath.requestBytes("") == nil)
        #expect(OCSPGetPath.requestBytes("%zz") == nil)
        #expect(OCSPGetPath.requestBytes("a") == nil)
    }
}
