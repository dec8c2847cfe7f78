import Foundation
import Hummingbird
import KafkaClient
import Pipeline
import TributaryCore

/// The file formats bulk upload reads.
public enum UploadFormat: String, Sendable, Codable, CaseIterable {
    /// Comma separated, first row the header.
    case csv
    /// One JSON object per line.
    case jsonl

    /// Guesses from a file name (`.csv`, `.jsonl`/`.ndjson`/`.json`).
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { self = .jsonl }
        else { return nil }
    }
}

/// One refused row of an upload.
public struct UploadRowError: Sendable, Codable, Equatable {
    /// 1-based data row (the CSV header is not counted).
    public var row: Int
    public var stage: String
    public var reason: String
}

/// What an upload did.
public struct UploadReport: Sendable, Codable, Equatable {
    public var topic: String
    public var source: String
    public var format: String
    public var bytes: Int = 0
    public var rows: Int = 0
    public var produced: Int = 0
    public var failed: Int = 0
    /// The first `BulkUploader.maxListedErrors` refused rows.
    public var errors: [UploadRowError] = []
    /// Set when the upload stopped early (file too large, broken file).
    public var stoppedBecause: String?
}

/// Reads an uploaded file chunk by chunk (never the whole file in memory), maps each row
/// to a record of the chosen topic, validates it with the pipeline's decoder and
/// enqueues valid records to Kafka; refused rows are reported with their row number.
public struct BulkUploader: Sendable {
    /// The stream whose uploads wrap each row as `{record_id, source, data, timestamp}`
    /// (the seed `bulk_upload` stream); rows for other streams are records as they are.
    public static let wrappingStream = "bulk_upload"

    public static let maxListedErrors = 1000

    public let ingestor: Ingestor
    public let schema: TopicSchema
    public let format: UploadFormat
    /// The file name: the `source` of `bulk_upload` records and the prefix of derived keys.
    public let source: String
    public let uploadMicros: Int64
    public let maxBytes: Int

    public init(ingestor: Ingestor, schema: TopicSchema, format: UploadFormat, source: String,
                uploadMicros: Int64 = epochMicrosNow(), maxBytes: Int) {
        self.ingestor = ingestor
        self.schema = schema
        self.format = format
        self.source = source
        self.uploadMicros = uploadMicros
        self.maxBytes = maxBytes
    }

    public func run<Body: AsyncSequence>(_ body: Body) async throws -> UploadReport where Body.Element == ByteBuffer {
        var report = UploadReport(topic: schema.topic, source: source, format: format.rawValue)
        var state = RowState(decoder: RecordDecoder(schema: schema, nowMicros: epochMicrosNow()))
        var csv = CSVRowParser()
        var lines = LineSplitter()
        let uploadTime = RecordGenerator.rfc3339(uploadMicros)
        for try await chunk in body {
            report.bytes += chunk.readableBytes
            if report.bytes > maxBytes {
                report.stoppedBecause = "the file is larger than the upload limit of \(maxBytes / (1024 * 1024)) MiB; rows before the limit were processed"
                break
            }
            let bytes = chunk.readableBytesView
            switch format {
            case .csv:
                try await csv.feed(bytes) { row in try await handle(csvRow: row, state: &state, report: &report, uploadTime: uploadTime) }
            case .jsonl:
                try await lines.feed(bytes) { line in try await handle(line: line, state: &state, report: &report, uploadTime: uploadTime) }
            }
        }
        if report.stoppedBecause == nil {
            switch format {
            case .csv:
                if csv.isInsideQuotes { report.stoppedBecause = "the file ends inside a quoted field (an unmatched \")" }
                try await csv.finish { row in try await handle(csvRow: row, state: &state, report: &report, uploadTime: uploadTime) }
            case .jsonl:
                try await lines.finish { line in try await handle(line: line, state: &state, report: &report, uploadTime: uploadTime) }
            }
        }
        if format == .csv && state.header == nil && report.stoppedBecause == nil {
            report.stoppedBecause = "the file is empty: a CSV upload needs a header row"
        }
        try await ingestor.producer.flush(timeout: .seconds(60))
        return report
    }

    private struct RowState {
        var header: [String]?
        /// One decoder for the whole upload (building one per row dominated the time).
        var decoder: RecordDecoder
    }

    private func handle(csvRow: [String], state: inout RowState, report: inout UploadReport, uploadTime: String) async throws {
        guard let header = state.header else {
            state.header = csvRow.map { $0.trimmingCharacters(in: .whitespaces) }
            return
        }
        report.rows += 1
        guard csvRow.count == header.count else {
            refuse(report: &report, stage: "parse", reason: "row has \(csvRow.count) column(s), the header has \(header.count)")
            return
        }
        let pairs = Array(zip(header, csvRow)).map { (name: $0.0, value: $0.1) }
        let json: [UInt8]
        if schema.name == Self.wrappingStream {
            let values = Dictionary(pairs.map { ($0.name, $0.value) }) { first, _ in first }
            let data = pairs.filter { $0.name != "record_id" && $0.name != "timestamp" }.map { pair in
                let v = pair.value.trimmingCharacters(in: .whitespaces)
                return "\(jsonQuoted(pair.name)):\(JSONText.isNumber(v) ? v : jsonQuoted(pair.value))"
            }
            let id = nonEmpty(values["record_id"]) ?? derivedID(row: report.rows)
            json = bulkRecord(recordID: id, data: "{\(data.joined(separator: ","))}",
                              timestamp: nonEmpty(values["timestamp"]).map(timestampJSON) ?? jsonQuoted(uploadTime))
            try await send(json, key: id, state: &state, report: &report)
            return
        } else {
            var filled = pairs
            if let ordering = schema.precombineField, nonEmpty(pairs.first { $0.name == ordering }?.value) == nil {
                filled.removeAll { $0.name == ordering }
                filled.append((name: ordering, value: uploadTime))
            }
            json = TextRecord.json(filled, schema: schema)
        }
        let key = pairs.first { $0.name == schema.recordKeyFields[0] }?.value.trimmingCharacters(in: .whitespacesAndNewlines)
        try await send(json, key: key, state: &state, report: &report)
    }

    private func handle(line: [UInt8], state: inout RowState, report: inout UploadReport, uploadTime: String) async throws {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        report.rows += 1
        let object = JSONText.parse(line)?.objectEntries.map(JSONValue.object)
        let json: [UInt8]
        if schema.name == Self.wrappingStream {
            guard let object else {
                refuse(report: &report, stage: "parse", reason: "the line is not a JSON object")
                return
            }
            let timestamp: String
            switch object["timestamp"] {
            case .string(let text)?: timestamp = jsonQuoted(text)
            case .int(let number)?: timestamp = String(number)
            case .double(let number)?: timestamp = "\(number)"
            default: timestamp = jsonQuoted(uploadTime)
            }
            let id = object["record_id"]?.string ?? derivedID(row: report.rows)
            json = bulkRecord(recordID: id, data: String(decoding: line, as: UTF8.self), timestamp: timestamp)
            try await send(json, key: id, state: &state, report: &report)
            return
        } else if let object, let ordering = schema.precombineField, schema.field(ordering)?.type == .timestamp,
                  object[ordering] == nil, let brace = line.firstIndex(of: UInt8(ascii: "{")) {
            // Insert the upload time textually so every other value keeps its exact digits.
            var patched = Array(line[...brace])
            patched += Array("\(jsonQuoted(ordering)):\(jsonQuoted(uploadTime))".utf8)
            if object.objectEntries?.isEmpty == false { patched.append(UInt8(ascii: ",")) }
            patched += line[line.index(after: brace)...]
            json = patched
        } else {
            json = line
        }
        try await send(json, key: object?[schema.recordKeyFields[0]]?.string, state: &state, report: &report)
    }

    /// `file.csv:7`: the key of a `bulk_upload` row without `record_id`.
    private func derivedID(row: Int) -> String { "\(source):\(row)" }

    private func bulkRecord(recordID id: String, data: String, timestamp: String) -> [UInt8] {
        return Array(#"{"record_id":\#(jsonQuoted(id)),"source":\#(jsonQuoted(source)),"data":\#(data),"timestamp":\#(timestamp)}"#.utf8)
    }

    private func timestampJSON(_ text: String) -> String {
        text.allSatisfy(\.isASCIIDigit) ? text : jsonQuoted(text)
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// Validates with the pipeline's decoder and enqueues; `key` is the record key the
    /// row mapping already knows (only used once the record is valid, so it is right).
    private func send(_ json: [UInt8], key: String?, state: inout RowState, report: inout UploadReport) async throws {
        let rejection = json.withUnsafeBytes { state.decoder.append($0, partition: 0, offset: 0) }
        if let rejection {
            refuse(report: &report, stage: rejection.stage.rawValue, reason: rejection.reason)
            return
        }
        // The decoder keeps accepted rows as columns; drop them now and then.
        if state.decoder.count >= 1024 { _ = state.decoder.finish(batchID: "", ingestedAtMicros: 0) }
        try await ingestor.producer.enqueue(topic: schema.topic, key: key.map { Array($0.utf8) }, value: json)
        report.produced += 1
    }

    private func refuse(report: inout UploadReport, stage: String, reason: String) {
        report.failed += 1
        if report.errors.count < Self.maxListedErrors {
            report.errors.append(UploadRowError(row: report.rows, stage: stage, reason: reason))
        }
    }
}
