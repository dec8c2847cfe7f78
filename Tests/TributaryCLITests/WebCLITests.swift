import Foundation
import Testing
import TributaryTesting

/// `tributary up` serves the web app and prints its URL; `tributary web` runs it alone
/// against the stack's broker.
@Suite(.ownThread) struct WebCLITests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func upPrintsTheWebURLAndWebRunsAlone() throws {
        let port = try freeLoopbackPort()
        let stack = try RunningStack(extraArgs: ["--set", "web.listen=127.0.0.1:\(port)"])
        try stack.waitUntilUp()
        let url = "http://127.0.0.1:\(port)/"
        let deadline = Date().addingTimeInterval(20)
        while !stack.logText.contains("web app: \(url)") && Date() < deadline { usleep(100_000) }
        #expect(stack.logText.contains("web app: \(url)"), "\(stack.logText)")
        #expect(try httpStatus("\(url)api/kafka/topics") == 200)

        // `tributary web` alone, with a token: the API then wants it.
        let webPort = try freeLoopbackPort()
        let web = Process()
        web.executableURL = CLI.binary
        web.arguments = ["web", "--listen", "127.0.0.1:\(webPort)", "--set", "web.auth_token=t0ken"]
        var env = ProcessInfo.processInfo.environment
        env["TRIBUTARY_STATE_DIR"] = stack.stateFolder.path
        web.environment = env
        web.currentDirectoryURL = stack.stateDir
        let out = Pipe()
        web.standardOutput = out
        web.standardError = FileHandle.nullDevice
        try web.run()
        defer { if web.isRunning { kill(web.processIdentifier, SIGKILL) } }
        var ready = false
        let webDeadline = Date().addingTimeInterval(30)
        while !ready && Date() < webDeadline && web.isRunning {
            ready = (try? httpStatus("http://127.0.0.1:\(webPort)/healthz")) == 200
            if !ready { usleep(100_000) }
        }
        #expect(ready)
        #expect(try httpStatus("http://127.0.0.1:\(webPort)/api/kafka/topics") == 401)
        #expect(try httpStatus("http://127.0.0.1:\(webPort)/api/kafka/topics", token: "t0ken") == 200)
        kill(web.processIdentifier, SIGINT)
        web.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed.contains("web app: http://127.0.0.1:\(webPort)/"))
        #expect(stack.interrupt() == 0)
    }

    /// The status of a GET, asked with curl (a child process keeps this synchronous test simple).
    func httpStatus(_ url: String, token: String? = nil) throws -> Int {
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/curl"), arguments + [url], check: false)
        return Int(output.stdoutText) ?? 0
    }
}
