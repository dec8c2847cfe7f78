import Foundation

/// Whether an HTTP status from S3 is worth retrying.
enum S3Retry {
    static func isRetryable(status: Int) -> Bool {
        status >= 500
    }
}
