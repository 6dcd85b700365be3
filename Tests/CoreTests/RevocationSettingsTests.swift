import Foundation
import Testing
@testable import CACore

@Suite struct RevocationSettingsTests {
    @Test func defaultsKeepUserCAAndFullCRLsAndDjangoCAsOCSPTimes() throws {
        let settings = try SettingsLoader.load(environment: ["HOME": "/home/test"])
        #expect(settings.crlProfiles["user"] == CRLProfile(scope: .userCertificates, expires: 86_400, renewal: 43_200))
        #expect(settings.crlProfiles["ca"]?.scope == .caCertificates)
        #expect(settings.crlProfiles["full"]?.scope == .all)
        #expect(settings.ocsp.responderCertificateDays == 3)
        #expect(settings.ocsp.responderCertificateRenewal == 86_400)
        #expect(settings.ocsp.responseValidity == 86_400)
        #expect(settings.jobs.statusPollMilliseconds == 250)
    }

    @Test func crlProfilesInDjangoCAsFormat() throws {
        let settings = try SettingsLoader.load(environment: [
            "HOME": "/h",
            "CA_CRL_PROFILES": #"{"vpn": {"only_some_reasons": ["key_compromise", "superseded"], "expires": 3600, "renewal": 600}}"#,
            "CA_OCSP_RESPONSE_VALIDITY": "600", "CA_JOB_CRL_INTERVAL": "5",
        ])
        #expect(settings.crlProfiles.count == 1)
        let vpn = try #require(settings.crlProfiles["vpn"])
        #expect(vpn.scope == .all && vpn.onlySomeReasons == [.keyCompromise, .superseded])
        #expect(vpn.expires == 3_600 && vpn.renewal == 600)
        #expect(settings.ocsp.responseValidity == 600)
        #expect(settings.jobs.crlCheckInterval == 5)
    }

    @Test(arguments: [
        #"{"x": {"only_contains_ca_certs": true, "only_contains_user_certs": true}}"#,
        #"{"x": {"expires": 60}}"#,
        #"{"x": {"expires": 3600, "renewal": 7200}}"#,
        #"{"x": {"only_some_reasons": ["no_such_reason"]}}"#,
        #"{"x": {"colour": "red"}}"#,
        #"{"x": 5}"#,
        #"[1, 2]"#,
    ])
    func badCRLProfilesAreRefusedWithTheSettingNamed(json: String) throws {
        let error = try #require(throws: CAError.self) {
            try SettingsLoader.load(environment: ["HOME": "/h", "CA_CRL_PROFILES": json])
        }
        #expect(error.message.contains("CA_CRL_PROFILES") || error.message.contains("revocation reason"), "\(error.message)")
    }
}
