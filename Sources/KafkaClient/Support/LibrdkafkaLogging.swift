import CRdKafka
import Foundation
import Logging

/// librdkafka's own log lines, routed into swift-log under the label `rdkafka`.
/// Connection failures are logged there at `warning` (librdkafka retries them); the
/// default level is `error`, so they stay quiet unless `TRIBUTARY_RDKAFKA_LOG=warning`
/// (or `debug`) asks for them.
enum LibrdkafkaLogging {
    static let logger: Logger = {
        var logger = Logger(label: "rdkafka")
        let env = ProcessInfo.processInfo.environment["TRIBUTARY_RDKAFKA_LOG"] ?? "error"
        logger.logLevel = Logger.Level(rawValue: env.lowercased()) ?? .error
        return logger
    }()

    static func level(_ syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .warning
        case 4: .notice
        case 5, 6: .info
        default: .debug
        }
    }

    static let callback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { rk, level, facility, message in
        let swiftLevel = LibrdkafkaLogging.level(level)
        let fac = facility.map { String(cString: $0) } ?? ""
        if fac == "FAIL", let rk, let message {
            ConnectionFailures.record(String(cString: message), client: rk)
        }
        guard swiftLevel >= logger.logLevel else { return }
        let text = message.map { String(cString: $0) } ?? ""
        logger.log(level: swiftLevel, "\(fac): \(text)")
    }
}

/// The last connection failure librdkafka logged per client ("SSL handshake failed:
/// certificate verify failed", "Disconnected while requesting ApiVersion: might be caused
/// by incorrect security.protocol", "SASL authentication error: ..."): librdkafka retries
/// these quietly, so an operation that then times out says why instead of just "timed out".
enum ConnectionFailures {
    nonisolated(unsafe) private static var last: [OpaquePointer: String] = [:]
    private static let lock = NSLock()

    static func record(_ message: String, client: OpaquePointer) {
        lock.lock()
        last[client] = message
        lock.unlock()
    }

    static func latest(_ client: OpaquePointer) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return last[client]
    }

    static func forget(_ client: OpaquePointer) {
        lock.lock()
        last[client] = nil
        lock.unlock()
    }
}
