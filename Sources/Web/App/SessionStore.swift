import Synchronization

/// Browser sessions created by the login form (random ids kept in memory: a restart
/// logs everyone out, which is fine for an operator console).
public final class SessionStore: Sendable {
    private let sessions = Mutex<Set<String>>([])

    public init() {}

    public func create() -> String {
        let id = randomToken()
        sessions.withLock { _ = $0.insert(id) }
        return id
    }

    public func contains(_ id: String) -> Bool { sessions.withLock { $0.contains(id) } }

    public func remove(_ id: String) { sessions.withLock { _ = $0.remove(id) } }
}
