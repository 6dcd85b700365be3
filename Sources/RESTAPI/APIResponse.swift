import CAAccess
import CACore
import Foundation
import HTTPTypes
import Hummingbird

/// JSON responses as django-ca's API (django-ninja) writes them: objects or arrays, and errors as
/// `{"detail": "message"}`.
enum APIResponse {
    static func json(_ value: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let data: [UInt8]
        do {
            data = try JSONText.encode(value)
        } catch {
            // Only reachable through a bug in this module (a value JSON cannot hold).
            return detail(.internalServerError, "the response cannot be encoded")
        }
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func detail(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        json(["detail": message], status: status, headers: headers)
    }

    /// django-ca's answer without valid credentials, naming both schemes this API accepts.
    static func unauthorized() -> Response {
        detail(.unauthorized, "Unauthorized", headers: [.wwwAuthenticate: "Bearer realm=\"swift-ca\", Basic realm=\"swift-ca\""])
    }

    static func methodNotAllowed(_ allowed: [HTTPRequest.Method]) -> Response {
        detail(.methodNotAllowed, "Method not allowed", headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
    }

    /// An error from the layers below, with the status `CAError.Kind.httpStatus` gives it.
    static func error(_ error: CAError) -> Response {
        let status = HTTPResponse.Status(code: error.kind.httpStatus)
        switch error.kind {
        case .unauthenticated: return unauthorized()
        case .forbidden: return detail(status, "Forbidden")
        case .rateLimited:
            // The header says to programs what the message says to people.
            return detail(status, error.message, headers: [.retryAfter: String(error.retryAfterSeconds ?? 60)])
        case .storage: return detail(status, "the database failed; the request was not completed")
        default: return detail(status, error.message)
        }
    }
}
