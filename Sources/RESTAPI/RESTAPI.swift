import CAAccess
import CAAuthority
import CACore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The REST API under `/api/`, described by `openapi.yaml`.
public final class RESTAPI: Sendable {
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
