import ArgumentParser
import Foundation
import KafkaClient
import TributaryCore

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Send JSON lines (one JSON object per line) from stdin or a file to a topic.",
        discussion: """
            Lines that are not a JSON object are reported with their line number on stderr \
            and not sent; the exit status is then 1. The message key is the value of the stream's \
            (first) record key field, or of --key-field.
            """)
    @OptionGroup var kafka: KafkaOptions
    @Argument(help: "The topic to send to.") var topic: String
    @Option(help: "Read from this file instead of stdin.") var file: String?
    @Option(help: "The field whose value becomes the message key.") var keyField: String?

    func run() async throws {
        let producer = try KafkaProducer(configuration: try await kafka.reachableConfiguration())
        let keyField = try self.keyField ?? kafka.loadConfig().streams().first { $0.topic == topic || $0.name == topic }?.recordKeyFields.first
        let fd: Int32
        if let file {
            fd = open(file, O_RDONLY)
            guard fd >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            fd = STDIN_FILENO
        }
        defer { if file != nil { close(fd) } }
        var lines = LineReader(fileDescriptor: fd)
        var sent = 0, rejected = 0, lineNumber = 0
        while let bytes = try lines.next() {
            lineNumber += 1
            if bytes.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            guard let object = try? JSONValue.parse(bytes: bytes), object.objectEntries != nil else {
                rejected += 1
                let excerpt = String(decoding: bytes.prefix(120), as: UTF8.self)
                FileHandle.standardError.write(Data("line \(lineNumber): not a JSON object, not sent: \(excerpt)\n".utf8))
                continue
            }
            var key: [UInt8]?
            if let keyField, let value = object[keyField] {
                key = Array(value.plainText.utf8)
            }
            try await producer.enqueue(topic: topic, key: key, value: bytes)
            sent += 1
        }
        try await producer.flush(timeout: .seconds(60))
        FileHandle.standardError.write(Data("sent \(sent) message(s) to \(topic)\(rejected > 0 ? ", rejected \(rejected) invalid line(s)" : "")\n".utf8))
        if rejected > 0 { throw ExitCode(1) }
    }
}
