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

    /// Polls until something accepts connections on the port.
    static func waitUntilListening(port: Int, timeout: Duration = .seconds(15)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port)
                .get()
            {
                try? await channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("Nothing listened on port \(port) within \(timeout).")
    }
}
