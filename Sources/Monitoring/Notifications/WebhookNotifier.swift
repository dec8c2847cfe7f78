import TributaryCore
import AsyncHTTPClient
import Foundation
import Logging
import MonitoringCore
import NIOCore
import ServiceLifecycle
import Synchronization

/// Posts alert transitions to a webhook (`alerts.webhook_url`): a JSON document, or
/// Slack's `{"text": …}` (`alerts.webhook_format = slack`).
///
/// No duplicate storm: the notifier keeps the state it last announced per alert
/// instance and sends only changes of it, one message per change; an instance that
/// fires and resolves again before its message went out sends nothing. Messages are
/// rate-limited (a token bucket), and a failed post is retried with exponential backoff.
public final class WebhookNotifier: AlertNotifier, Service, Sendable {
    public enum Format: String, Sendable, CaseIterable { case json, slack }

    public struct Options: Sendable {
        public var url: String
        public var format: Format
        public var attempts = 5
        public var initialBackoff: Duration = .milliseconds(500)
        public var timeout: Duration = .seconds(5)
        /// Messages sent at once before the rate limit applies.
        public var burst = 5
        /// Sustained messages per minute.
        public var perMinute = 12.0

        public init(url: String, format: Format = .json) {
            self.url = url
            self.format = format
        }
    }

    public let options: Options
    private let logger: Logger
    private struct State {
        /// The newest transition per instance.
        var desired: [String: AlertTransition] = [:]
        /// The event last delivered (or given up on) per instance.
        var announced: [String: AlertTransition.Event] = [:]
        var tokens: Double
        var refilled = ContinuousClock.now
    }
    private let state: Mutex<State>
    private let wake: AsyncStream<Void>.Continuation
    private let wakeups: AsyncStream<Void>

    public init(options: Options, logger: Logger = Logger(label: "tributary.webhook")) {
        self.options = options
        self.logger = logger
        state = Mutex(State(tokens: Double(options.burst)))
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func notify(_ transitions: [AlertTransition]) {
        state.withLock { s in for t in transitions { s.desired[t.key] = t } }
        wake.yield()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.wakeups {
                await self.drain()
                if Task.isCancelled { break }
            }
        }
    }

    /// Sends every pending change, oldest first, within the rate limit.
    func drain() async {
        while !Task.isCancelled, let next = nextPending() {
            if let wait = takeToken() {
                try? await Task.sleep(for: wait)
                continue
            }
            let delivered = await post(next)
            state.withLock { s in
                s.announced[next.key] = next.event
                // Bounded memory: a resolved, announced instance needs no record.
                if next.event == .resolved, s.desired[next.key]?.event == .resolved {
                    s.desired[next.key] = nil
                    s.announced[next.key] = nil
                }
            }
            if !delivered { logger.error("webhook: gave up on \(next.event.rawValue) \(next.key) after \(options.attempts) attempts") }
        }
    }

    private func nextPending() -> AlertTransition? {
        state.withLock { s in
            s.desired.values.filter { ($0.event) != (s.announced[$0.key] ?? .resolved) }.min { $0.at < $1.at }
        }
    }

    /// Takes a token, or says how long until one is there.
    private func takeToken() -> Duration? {
        state.withLock { s in
            let now = ContinuousClock.now
            let perSecond = options.perMinute / 60
            s.tokens = min(Double(options.burst), s.tokens + (now - s.refilled).inSeconds * perSecond)
            s.refilled = now
            if s.tokens >= 1 {
                s.tokens -= 1
                return nil
            }
            return .milliseconds(Int64((1 - s.tokens) / perSecond * 1000) + 1)
        }
    }

    /// Posts with retries; true when the receiver answered 2xx.
    func post(_ transition: AlertTransition) async -> Bool {
        var request = HTTPClientRequest(url: options.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tributary-alerts")
        let body = Self.body(transition, format: options.format)
        let policy = RetryPolicy(maxAttempts: options.attempts, baseDelay: options.initialBackoff.inSeconds, maxDelay: 30)
        let delivered = try? await policy.run { attempt -> RetryStep<Bool> in
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(Int64(options.timeout.inSeconds * 1e9)))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) { return .done(true) }
                let retryable = response.status.code == 429 || response.status.code >= 500
                logger.warning("webhook answered \(response.status.code) (attempt \(attempt.number))")
                if !retryable { return .done(false) }
            } catch {
                logger.warning("webhook post failed (attempt \(attempt.number)): \(error)")
            }
            return attempt.isLast ? .done(false) : .again()
        }
        return delivered ?? false
    }

    /// The message: Tributary's JSON, or Slack's `{"text": …}`.
    public static func body(_ t: AlertTransition, format: Format) -> Data {
        switch format {
        case .json:
            return Data(JSONResponse.text(WebhookMessage(t)).utf8)
        case .slack:
            let labels = t.labels.isEmpty ? "" : " " + t.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let icon = t.event == .firing ? ":rotating_light:" : ":white_check_mark:"
            let text = "\(icon) [\(t.event.rawValue.uppercased())] \(t.rule)\(labels): \(t.summary)"
            return Data(JSONResponse.text(["text": text]).utf8)
        }
    }
}

/// The JSON body of a webhook (format `json`).
struct WebhookMessage: Encodable {
    var source = "tributary"
    var status: String
    var alert: String
    var severity: String
    var labels: [String: String]
    var value: Double?
    var summary: String
    var at: String

    init(_ t: AlertTransition) {
        status = t.event.rawValue
        alert = t.rule
        severity = t.severity
        labels = t.labels
        value = t.value.isFinite ? t.value : nil
        summary = t.summary
        at = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: t.at))
    }
}
