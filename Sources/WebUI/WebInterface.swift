import CAAccess
import CAAuthority
import CACore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The administration pages under `/admin/`: server-rendered HTML that works without JavaScript.
public final class WebInterface: Sendable {
    let authority: Authority
    let access: AccessControl
    let logger: Logger

    public init(authority: Authority, access: AccessControl, logger: Logger) {
        self.authority = authority
        self.access = access
        self.logger = logger
    }

    public func respond(to request: Request, origin: RequestOrigin) async -> Response {
        Response(status: .notFound)
    }
}
