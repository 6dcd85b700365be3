import CAAuthority
import CACore
import Foundation
import Prometheus

/// The figures `/metrics` publishes, in Prometheus' text format. Counters are made once and kept, so that
/// counting a request is an atomic add, not a registry lookup with string labels.
final class ServerMetrics: Sendable {
    enum Endpoint: String, CaseIterable, Sendable {
        case healthz, metrics, issuer, crl, ocsp, ssh, acme, api, web, other
    }

    let registry = PrometheusCollectorRegistry()
    private let requests: LabelledCounters<RequestLabel>
    private let ocspAnswers: [String: Counter]
    private let ocspErrors: LabelledCounters<OCSPResponseStatus>
    private let jobRuns: LabelledCounters<JobLabel>
    private let latency: DurationHistogram
    private let cacheSize: Gauge

    struct RequestLabel: Hashable, Sendable {
        let endpoint: Endpoint
        let status: Int
    }

    struct JobLabel: Hashable, Sendable {
        let job: String
        let succeeded: Bool
    }

    init() {
        let registry = self.registry
        requests = LabelledCounters { label in
            registry.makeCounter(
                descriptor: Self.requestsDescriptor,
                labels: [("endpoint", label.endpoint.rawValue), ("status", String(label.status))])
        }
        var answers: [String: Counter] = [:]
        for source in ["cache", "stored", "signed"] {
            answers[source] = registry.makeCounter(descriptor: Self.ocspDescriptor, labels: [("source", source)])
        }
        ocspAnswers = answers
        ocspErrors = LabelledCounters { status in
            registry.makeCounter(descriptor: Self.ocspDescriptor, labels: [("source", "error-\(status)")])
        }
        jobRuns = LabelledCounters { label in
            registry.makeCounter(
                descriptor: Self.jobsDescriptor, labels: [("job", label.job), ("result", label.succeeded ? "success" : "failure")])
        }
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "swift_ca", metricName: "http_request_duration", unitName: "seconds",
                helpText: "Time from request head to response, by all endpoints."),
            buckets: [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .seconds(1)])
        cacheSize = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "swift_ca", metricName: "ocsp_cached", unitName: "responses",
                helpText: "Signed OCSP responses held in memory (at the last scrape)."))
    }

    private static var requestsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "swift_ca", metricName: "http_requests", unitName: "total", helpText: "HTTP requests by endpoint and status.")
    }
    private static var ocspDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "swift_ca", metricName: "ocsp_responses", unitName: "total",
        helpText: "OCSP answers by source: cache, stored (pre-signed), signed, or error-<status>.")
    }
    private static var jobsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "swift_ca", metricName: "job_runs", unitName: "total", helpText: "Periodic job runs by job and result.")
    }

    func request(endpoint: Endpoint, status: Int, duration: Duration) {
        requests.increment(RequestLabel(endpoint: endpoint, status: status))
        latency.record(duration)
    }

    /// How an OCSP request was answered: cache hit, pre-signed, signed now, or an OCSP error status.
    func ocspAnswer(_ answer: OCSPAnswer) {
        if answer.source == .error {
            ocspErrors.increment(answer.status)
        } else {
            ocspAnswers[answer.source.rawValue]?.increment()
        }
    }

    func cachedResponses(_ count: Int) {
        cacheSize.set(Double(count))
    }

    func jobRun(_ job: String, succeeded: Bool) {
        jobRuns.increment(JobLabel(job: job, succeeded: succeeded))
    }

    func text() -> [UInt8] {
        registry.emitToBuffer()
    }
}

/// Counters of one metric, one per label value, made on first use.
final class LabelledCounters<Label: Hashable & Sendable>: @unchecked Sendable {
    // @unchecked: `counters` is guarded by `lock`.
    private let make: @Sendable (Label) -> Counter
    private let lock = NSLock()
    private var counters: [Label: Counter] = [:]

    init(make: @escaping @Sendable (Label) -> Counter) {
        self.make = make
    }

    func increment(_ label: Label) {
        let counter = lock.withLock {
            if let existing = counters[label] { return existing }
            let made = make(label)
            counters[label] = made
            return made
        }
        counter.increment()
    }
}
