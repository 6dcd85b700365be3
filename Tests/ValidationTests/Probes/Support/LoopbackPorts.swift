import NIOCore
import NIOPosix

/// Finding and waiting for loopback ports for servers the tests start as processes.
enum LoopbackPorts {
    /// A port that was free a moment ago. Another process could take it before the
    /// caller binds it, which is acceptable for tests.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else {
            throw TestSetupError("Could not find a free port.")
        }
        try await channel.close()
        return port
    }

    /// Polls until something accepts connections on the port. Attempts are counted rather than time
    /// measured: while the end-to-end tests occupy the shared threads, this task may resume late, and a
    /// clock-based deadline would expire before the server had a chance to start.
    static func waitUntilListening(port: Int, attempts: Int = 300) async throws {
        for _ in 0..<attempts {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port)
                .get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("Nothing listened on port \(port) after \(attempts) attempts.")
    }
}
