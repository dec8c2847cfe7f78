import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaTesting
import Pipeline
import Testing
@testable import Web

/// Bulk upload of CSV and JSONL against a real broker, with per-row error reports.
@Suite struct UploadRouteTests {
    @Test func csvUploadProducesValidRowsAndReportsTheBrokenOne() async throws {
        let app = try await TestApp()
        let schema = app.schema("transactions")
        let csv = """
            transaction_id,user_id,amount,currency,status,timestamp,note\r
            t-1,u-1,10.25,EUR,completed,2026-11-26T10:00:00Z,"quoted, with comma"\r
            t-2,u-2,not-a-number,EUR,completed,2026-11-26T10:00:00Z,x\r
            t-3,u-3,7,USD,pending,,"multi
            line"\r
            t-4,u-4\r

            """
        try await app.test { client in
            let response = try await client.execute(
                uri: "/api/topics/transactions/upload?filename=tx.csv", method: .post,
                headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv))
            #expect(response.status == .ok)
            let report = try JSONDecoder().decode(UploadReport.self, from: Data(buffer: response.body))
            #expect(report.rows == 4)
            #expect(report.produced == 2)
            #expect(report.failed == 2)
            #expect(report.errors.map(\.row) == [2, 4])
            #expect(report.errors.first?.stage == "schema")
            #expect(report.errors.first?.reason.contains("'amount'") == true)
            #expect(report.errors.last?.reason.contains("column") == true)

            let messages = try await app.messages(schema.topic, count: 2)
            #expect(Set(messages.compactMap(\.keyString)) == ["t-1", "t-3"])
            // Row 3 had no timestamp: the upload time was used; unknown columns are kept.
            let t3 = try #require(messages.first { $0.keyString == "t-3" })
            let object = try #require(JSONSerialization.jsonObject(with: Data(t3.value)) as? [String: Any])
            #expect((object["timestamp"] as? String)?.hasPrefix("20") == true)
            #expect(object["note"] as? String == "multi\nline")
        }
    }

    @Test func jsonlUploadToBulkUploadDerivesKeysAndReportsBrokenLines() async throws {
        let app = try await TestApp()
        let schema = app.schema("bulk_upload")
        let jsonl = """
            {"a":1,"b":"x"}
            {"record_id":"mine","timestamp":"2026-11-26T10:00:00Z","v":2.50}
            {broken
            [1,2]

            """
        try await app.test { client in
            let response = try await client.execute(
                uri: "/api/topics/bulk_upload/upload?filename=data.jsonl", method: .post,
                headers: [.contentType: "application/x-ndjson"], body: ByteBuffer(string: jsonl))
            #expect(response.status == .ok)
            let report = try JSONDecoder().decode(UploadReport.self, from: Data(buffer: response.body))
            #expect(report.rows == 4)
            #expect(report.produced == 2)
            #expect(report.errors.map(\.row) == [3, 4])
            #expect(report.errors.allSatisfy { $0.stage == "parse" })

            let messages = try await app.messages(schema.topic, count: 2)
            #expect(Set(messages.compactMap(\.keyString)) == ["data.jsonl:1", "mine"])
            let first = try #require(messages.first { $0.keyString == "data.jsonl:1" })
            let object = try #require(JSONSerialization.jsonObject(with: Data(first.value)) as? [String: Any])
            #expect(object["source"] as? String == "data.jsonl")
            #expect((object["data"] as? [String: Any])?["b"] as? String == "x")
            // The data object is embedded as written (no re-encoding of numbers).
            let mine = try #require(messages.first { $0.keyString == "mine" })
            #expect(String(decoding: mine.value, as: UTF8.self).contains(#""v":2.50"#))
        }
    }

    @Test func oversizedUploadIsRefusedWithAClearMessage() async throws {
        let app = try await TestApp()  // 1 MiB limit
        try await app.test { client in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10)
            let response = try await client.execute(
                uri: "/api/topics/bulk_upload/upload?format=csv", method: .post,
                headers: [.contentType: "text/csv", .contentLength: String(big.readableBytes)], body: big)
            #expect(response.status == .contentTooLarge)
            #expect((response.object["error"] as? String)?.contains("limit") == true)

            let unknownFormat = try await client.execute(
                uri: "/api/topics/bulk_upload/upload?filename=x.bin", method: .post,
                headers: [.contentType: "application/octet-stream"], body: ByteBuffer(string: "x"))
            #expect(unknownFormat.status == .badRequest)
        }
    }
}
