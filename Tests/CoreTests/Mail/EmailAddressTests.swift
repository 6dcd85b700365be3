import Testing
@testable import CACore

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("user@example.com", "user@example.com", nil),
        ("  ops+ca@Mail.Example.COM ", "ops+ca@mail.example.com", nil),
        ("Jane Doe <jane@example.com>", "jane@example.com", "Jane Doe"),
        ("\"Doe, Jane\" <jane@example.com>", "jane@example.com", "Doe, Jane"),
        ("\"Say \\\"hi\\\"\" <hi@example.com>", "hi@example.com", "Say \"hi\""),
        ("<ops@example.com>", "ops@example.com", nil),
        ("Jürgen Müller <j.mueller@example.de>", "j.mueller@example.de", "Jürgen Müller"),
        ("o'brien_2{x}@sub-1.example.org", "o'brien_2{x}@sub-1.example.org", nil),
    ] as [(String, String, String?)])
    func accepted(text: String, address: String, displayName: String?) throws {
        let parsed = try EmailAddress(parsing: text)
        #expect(parsed.address == address)
        #expect(parsed.displayName == displayName)
    }

    @Test(arguments: [
        "", "user", "user@", "@example.com", "user@localhost", "a b@example.com", "user@exa mple.com", "user@@example.com",
        ".user@example.com", "user.@example.com", "us..er@example.com", "jürgen@example.com", "user@-example.com",
        "Name <user@example.com", "Name user@example.com>", "<a@example.com> <b@example.com>", "Name <>",
        "\"Unclosed <u@example.com>", "user@example.com\r\nBcc: x@example.com", "Name\n <u@example.com>",
        "user@example..com", "(comment) user@example.com",
    ])
    func refused(text: String) {
        let error = #expect(throws: CAError.self) { try EmailAddress(parsing: text) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("not an e-mail address") == true)
    }

    @Test func headerValueQuotesOrEncodesTheNameOnlyWhenItMust() throws {
        #expect(try EmailAddress(parsing: "ops@example.com").headerValue == "ops@example.com")
        #expect(try EmailAddress(parsing: "Jane Doe <jane@example.com>").headerValue == "Jane Doe <jane@example.com>")
        #expect(try EmailAddress(parsing: "\"Doe, Jane\" <jane@example.com>").headerValue == "\"Doe, Jane\" <jane@example.com>")
        #expect(try EmailAddress(parsing: "Jürgen <j@example.de>").headerValue == "=?UTF-8?B?SsO8cmdlbg==?= <j@example.de>")
    }
}
