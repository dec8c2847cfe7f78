import Foundation
#if canImport(Glibc)
import Glibc
import TributaryCore
#endif

/// A small HTTP/1.1 proxy between an HTTP client (our S3 client, the Iceberg REST client)
/// and its server that injects faults at random (seeded, so a failing run can be replayed)
/// or as scripted (``script(_:matching:)``): error answers, answers lost after the
/// server acted, stalls past the client's timeout, dropped connections, and truncated
/// requests and responses. One request per connection (it forces `Connection: close`),
/// which keeps request and response boundaries trivial.
public final class FaultProxy: @unchecked Sendable {
    public enum Fault: String, CaseIterable, Sendable {
        case none
        /// 500 InternalError without forwarding.
        case error500
        /// 503 SlowDown without forwarding.
        case slowDown503
        /// Forwarded (the server acts), but the client gets a 500.
        case forwardThen500
        /// Forwarded after a stall longer than the client's timeout.
        case delay
        /// Connection closed before forwarding.
        case dropBeforeForward
        /// Forwarded, then the connection closed without an answer.
        case dropAfterForward
        /// Forwarded; the client gets only the first half of the response.
        case truncateResponse
        /// Only half the request body reaches the server, then both connections close.
        case truncateRequest
        /// 429 Too Many Requests (with `Retry-After: 0`) without forwarding.
        case tooMany429
    }

    public let port: Int
    private let upstreamPort: Int
    private let listenFD: Int32
    private let lock = NSLock()
    private var rng: SeededRandom
    private var faultRate: Double
    private let delaySeconds: Double
    private var stopped = false
    private var counts: [Fault: Int] = [:]
    private var requestLog: [(fault: Fault, requestLine: String)] = []
    private let faults: [Fault]
    /// Scripted faults, used before the random ones: the next request whose request line
    /// contains every string of `matching` gets the first fault.
    private var scripted: [(fault: Fault, matching: [String])] = []

    public init(upstreamPort: Int, seed: UInt64, faultRate: Double, delaySeconds: Double = 1.5,
                faults: [Fault] = Fault.allCases.filter { $0 != .none && $0 != .tooMany429 }) throws {
        self.upstreamPort = upstreamPort
        rng = SeededRandom(seed: seed)
        self.faultRate = faultRate
        self.delaySeconds = delaySeconds
        self.faults = faults
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = LoopbackPorts.address(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr -> Bool in
                bind(fd, ptr, len) == 0 && getsockname(fd, ptr, &len) == 0
            }
        }
        guard ok, listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Faults injected so far, by kind.
    public var injected: [Fault: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// Every request seen: its fault and request line (`POST /bucket/key?uploads= HTTP/1.1`).
    public var log: [(fault: Fault, requestLine: String)] {
        lock.lock()
        defer { lock.unlock() }
        return requestLog
    }

    /// Changes the share of requests that get a fault (0 turns faults off).
    public func setFaultRate(_ rate: Double) {
        lock.lock()
        faultRate = rate
        lock.unlock()
    }

    /// Queues `faults` for the next requests whose request line contains every string of
    /// `matching` (e.g. `["POST ", "/tables/t "]`), one each, in order; other requests
    /// are not affected.
    public func script(_ faults: [Fault], matching: [String] = []) {
        lock.lock()
        scripted += faults.map { ($0, matching) }
        lock.unlock()
    }

    /// Idempotent: a second close of the listening descriptor could close a number the
    /// process has since reused for another socket.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if wasStopped { return }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
    }

    deinit { stop() }

    private func pickFault(_ requestLine: String) -> Fault {
        lock.lock()
        defer { lock.unlock() }
        var fault = Fault.none
        if let i = scripted.firstIndex(where: { $0.matching.allSatisfy(requestLine.contains) }) {
            fault = scripted.remove(at: i).fault
        } else if Double.random(in: 0..<1, using: &rng) < faultRate, let chosen = faults.randomElement(using: &rng) {
            fault = chosen
        }
        counts[fault, default: 0] += 1
        requestLog.append((fault, requestLine))
        return fault
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done { return }
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in
                handle(client)
                close(client)
            }
            thread.start()
        }
    }

    private func handle(_ client: Int32) {
        setTimeout(client, seconds: 10)
        guard let (head, body) = readRequest(client) else { return }
        let requestLine = String(decoding: head.prefix(while: { $0 != 13 }), as: UTF8.self)
        let fault = pickFault(requestLine)
        switch fault {
        case .error500:
            sendAll(client, errorResponse(500, "InternalError", "injected internal error"))
            return
        case .slowDown503:
            sendAll(client, errorResponse(503, "SlowDown", "Please reduce your request rate."))
            return
        case .tooMany429:
            sendAll(client, errorResponse(429, "TooManyRequests", "Please reduce your request rate."))
            return
        case .dropBeforeForward:
            return
        case .delay:
            Thread.sleep(forTimeInterval: delaySeconds)
        default:
            break
        }
        guard let upstream = connectUpstream() else {
            sendAll(client, errorResponse(502, "BadGateway", "upstream unreachable"))
            return
        }
        defer { close(upstream) }
        let request = rewriteConnectionClose(head) + body
        if fault == .truncateRequest && !body.isEmpty {
            sendAll(upstream, request.prefix(head.count + body.count / 2))
            return
        }
        sendAll(upstream, request)
        let response = readToEOF(upstream)
        switch fault {
        case .forwardThen500:
            sendAll(client, errorResponse(500, "InternalError", "injected after forwarding"))
        case .dropAfterForward:
            return
        case .truncateResponse:
            sendAll(client, response.prefix(max(1, response.count / 2)))
        default:
            sendAll(client, response)
        }
    }

    // MARK: HTTP plumbing

    private func readRequest(_ fd: Int32) -> (Data, Data)? {
        var buffer = Data()
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard let chunk = receive(fd), !chunk.isEmpty else { return nil }
            buffer.append(chunk)
            headEnd = buffer.range(of: separator).map { $0.upperBound }
        }
        guard let end = headEnd else { return nil }
        let head = buffer.prefix(end)
        var body = Data(buffer.dropFirst(end))
        let text = String(decoding: head, as: UTF8.self).lowercased()
        var length = 0
        for line in text.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while body.count < length {
            guard let chunk = receive(fd), !chunk.isEmpty else { return nil }
            body.append(chunk)
        }
        return (Data(head), body)
    }

    private func rewriteConnectionClose(_ head: Data) -> Data {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
            .filter { !$0.lowercased().hasPrefix("connection:") && !$0.isEmpty }
        return Data((lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8)
    }

    private func errorResponse(_ status: Int, _ code: String, _ message: String) -> Data {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>proxy</RequestId></Error>"
        let reason = status == 503 ? "Slow Down" : status == 429 ? "Too Many Requests" : "Internal Server Error"
        let retryAfter = status == 429 ? "Retry-After: 0\r\n" : ""
        return Data(("HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/xml\r\n\(retryAfter)Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8)
    }

    private func connectUpstream() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(upstreamPort).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard ok else {
            close(fd)
            return nil
        }
        setTimeout(fd, seconds: 30)
        return fd
    }

    private func setTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    private func receive(_ fd: Int32) -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { return nil }
        return Data(buffer[0..<n])
    }

    private func readToEOF(_ fd: Int32) -> Data {
        var data = Data()
        while let chunk = receive(fd), !chunk.isEmpty { data.append(chunk) }
        return data
    }

    private func sendAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var sent = 0
            while sent < buffer.count {
                // MSG_NOSIGNAL: a client that already gave up must not kill us with SIGPIPE.
                let n = send(fd, base + sent, buffer.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }
}
