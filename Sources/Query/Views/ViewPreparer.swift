import Logging
import ServiceLifecycle

/// Prepares the views of merge-on-read tables in the background: every `interval` it
/// looks at their timelines and, after a new delta commit, extracts its log blocks and
/// decides the merge (``LakeCatalog/prepareMergeOnReadViews()``), so the first query after
/// the commit does not pay for them. Queries never depend on it: one that arrives before
/// the preparation waits for it, or (preparer not running) does the work itself.
///
/// Watching the timeline rather than being told by the writer: the processor and the query
/// service may be different processes, and a timeline listing is what every query does.
public struct ViewPreparer: Service {
    let catalog: LakeCatalog
    let interval: Duration
    let logger: Logger

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastError: String?
            while !Task.isCancelled {
                do {
                    try await catalog.prepareMergeOnReadViews()
                    lastError = nil
                } catch {
                    // Once per distinct error, not every interval (queries report it too).
                    let text = "\(error)"
                    if text != lastError { logger.warning("merge-on-read views not prepared", metadata: ["error": "\(text)"]) }
                    lastError = text
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
