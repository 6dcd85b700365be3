import Foundation
import Prometheus

/// The figures `/metrics` publishes, in Prometheus' text format. Counters are made once per label set and
/// kept, so that counting a request is an atomic add and not a registry lookup.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let requests: LabelledCounters
    private let ocspAnswers: LabelledCounters
    private let jobRuns: LabelledCounters
    private let latency: DurationHistogram

    init() {
        requests = LabelledCounters(registry: registry, name: "swift_ca_http_requests_total", labels: ["endpoint", "status"])
        ocspAnswers = LabelledCounters(registry: registry, name: "swift_ca_ocsp_responses_total", labels: ["source"])
        jobRuns = LabelledCounters(registry: registry, name: "swift_ca_job_runs_total", labels: ["job", "result"])
        latency = registry.makeDurationHistogram(
            name: "swift_ca_http_request_duration_seconds",
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1)])
    }

    func request(endpoint: String, status: Int, duration: Duration) {
        requests.increment([endpoint, String(status)])
        latency.record(duration)
    }

    /// How an OCSP request was answered: cache hit, pre-signed, signed now, or an OCSP error.
    func ocspAnswer(source: String) {
        ocspAnswers.increment([source])
    }

    func jobRun(_ job: String, succeeded: Bool) {
        jobRuns.increment([job, succeeded ? "success" : "failure"])
    }

    func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}

/// Counters of one metric name, one per combination of label values.
final class LabelledCounters: @unchecked Sendable {
    // @unchecked: `counters` is guarded by `lock`.
    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let labelNames: [String]
    private let lock = NSLock()
    private var counters: [[String]: Counter] = [:]

    init(registry: PrometheusCollectorRegistry, name: String, labels: [String]) {
        self.registry = registry
        self.name = name
        self.labelNames = labels
    }

    func increment(_ values: [String]) {
        let counter = lock.withLock {
            if let existing = counters[values] { return existing }
            let made = registry.makeCounter(name: name, labels: Array(zip(labelNames, values)))
            counters[values] = made
            return made
        }
        counter.increment()
    }
}
