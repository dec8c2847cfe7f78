import Foundation
import Testing
import TributaryTesting

/// Issue 19 (5): a state folder `tributary up` cannot use as it is — written by another
/// version, not Tributary's, or with the broker's data gone — is refused with a clear
/// message and left exactly as it was; a folder of the previous (in-memory) version is taken over.
@Suite(.ownThread) struct StateFolderTests {
    /// Runs `tributary up` on a prepared folder and expects it to refuse (quickly: nothing starts).
    func refusal(_ prepare: (URL) throws -> Void) throws -> (ProcessOutput, before: [String], after: [String]) {
        let dir = try TestEnvironment.temporaryDirectory("state-folder")
        let kafka = CLI.stateFolder(dir).appendingPathComponent("kafka")
        try FileManager.default.createDirectory(at: kafka, withIntermediateDirectories: true)
        try prepare(kafka)
        let before = Self.listing(kafka)
        let output = try CLI.run(["up", "--set", "web.listen=127.0.0.1:0"], stateDir: dir)
        return (output, before, Self.listing(kafka))
    }

    static func listing(_ dir: URL) -> [String] {
        let paths = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
        return paths.sorted().map { path in
            let data = FileManager.default.contents(atPath: dir.appendingPathComponent(path).path) ?? Data()
            return "\(path):\(data.count):\(data.hashValue)"
        }
    }

    @Test func aFolderOfANewerVersionIsRefusedAndLeftAlone() throws {
        let (output, before, after) = try refusal { kafka in
            try "tributary-embedded-kafka\nformat: 99\n".write(to: kafka.appendingPathComponent("FORMAT"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: kafka.appendingPathComponent("seaweedfs"), withIntermediateDirectories: true)
            try "data".write(to: kafka.appendingPathComponent("seaweedfs/1.dat"), atomically: true, encoding: .utf8)
        }
        #expect(output.status != 0)
        #expect(output.stderrText.contains("was written by a newer Tributary (broker folder format 99"), "\(output.stderrText)")
        #expect(before == after)
    }

    @Test func aFolderTributaryDidNotWriteIsRefusedAndLeftAlone() throws {
        let (output, before, after) = try refusal { kafka in
            try "someone else's".write(to: kafka.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        }
        #expect(output.status != 0)
        #expect(output.stderrText.contains("holds files Tributary did not write"), "\(output.stderrText)")
        #expect(before == after)
    }

    @Test func aBrokerWhoseDataFolderVanishedIsRefusedNotStartedEmpty() throws {
        let (output, before, after) = try refusal { kafka in
            try "tributary-embedded-kafka\nformat: 1\n".write(to: kafka.appendingPathComponent("FORMAT"), atomically: true, encoding: .utf8)
            _ = FileManager.default.createFile(atPath: kafka.appendingPathComponent("served").path, contents: Data())
        }
        #expect(output.status != 0)
        #expect(output.stderrText.contains("is missing or empty, but the broker kept its log there before"), "\(output.stderrText)")
        #expect(before == after)
    }
}
