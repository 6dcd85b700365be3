import Foundation
import Hummingbird

/// `openapi.yaml` as built into the binary, so that the server serves exactly the spec in the repository.
enum OpenAPIDocument {
    static let bytes: [UInt8] = PackageResources.openapi_yaml

    static func response() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml", .contentLength: String(bytes.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
