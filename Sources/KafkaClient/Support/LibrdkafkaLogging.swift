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

    static let callback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { _, level, facility, message in
        let swiftLevel = LibrdkafkaLogging.level(level)
        guard swiftLevel >= logger.logLevel else { return }
        let fac = facility.map { String(cString: $0) } ?? ""
        let text = message.map { String(cString: $0) } ?? ""
        logger.log(level: swiftLevel, "\(fac): \(text)")
    }
}
