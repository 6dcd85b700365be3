import CACore

/// A DNS reply as the resolver of ACME dns-01 and CAA checking reads it: decoded, matched to its query,
/// interpreted, and its CAA records evaluated for a plain and a wildcard name.
enum DNSReplyTarget {
    private static let policy = CAAPolicy(issuerDomainNames: ["ca.example"])
    private static let requests = [
        CAAIssuanceRequest(domainName: "www.example.com", accountURI: "https://ca.example/acme/account/1", validationMethod: "dns-01"),
        CAAIssuanceRequest(domainName: "*.example.com"),
    ]

    @Sendable static func run(_ bytes: [UInt8]) {
        guard let response = try? DNSResponse(decoding: bytes) else { return }
        for type in DNSRecordType.allCases {
            let result = DNSLookupResult(response: response, type: type)
            let records = result.recordData.compactMap { data in
                _ = data.text
                if case .caa(let record) = data { return record }
                return nil
            }
            for request in requests where !records.isEmpty {
                _ = policy.evaluate(records, foundAt: "example.com", for: request)
            }
        }
        // The resolver matches a reply to the query it sent; here the query is the one the reply claims to answer.
        if let question = response.questions.first, let type = DNSRecordType(rawValue: question.typeCode),
            let query = try? DNSQuery(name: question.name, type: type, id: response.header.id)
        {
            _ = try? DNSResponse(decoding: bytes, answering: query)
        }
    }
}
