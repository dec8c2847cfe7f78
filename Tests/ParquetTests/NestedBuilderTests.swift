import Foundation
@testable import Parquet
import Testing
import TributaryCore

/// The builder's levels on hand-worked examples (Dremel: definition = how many optional or
/// repeated levels are present, repetition = which list repeats), its refusals, and a row
/// cancelled midway.
@Suite struct NestedBuilderTests {
    @Test func listLevelsNullEmptyAndNullElements() throws {
        var b = try NestedColumnBuilder(Field("tags", .list(of: .string)))
        try b.appendNull()                                              // null list
        try b.beginList(); try b.endList()                              // []
        try b.beginList(); try b.append("a"); try b.appendNull(); try b.append("b"); try b.endList()
        try b.beginList(); try b.appendNull(); try b.endList()          // [null]
        let c = try b.finish()
        #expect(c.rowCount == 4)
        let leaf = try #require(c.leaves.first)
        #expect(leaf.definitionLevels == [0, 1, 3, 2, 3, 2])
        #expect(leaf.repetitionLevels == [0, 0, 0, 1, 1, 0])
        #expect(leaf.column.validity == [false, false, true, false, true, false])
        #expect(leaf.maxDefinitionLevel == 3 && leaf.maxRepetitionLevel == 1)
    }

    @Test func structOfListOfStructs() throws {
        let field = Field("s", .group([
            Field("a", .int32, nullable: false),
            Field("l", .list(of: .group([Field("x", .int64)]), elementNullable: false)),
        ]))
        var b = try NestedColumnBuilder(field)
        try b.appendNull()
        try b.beginGroup(); try b.field(0); try b.append(Int32(1)); try b.field(1); try b.appendNull(); try b.endGroup()
        // Fields in any order; `x` of the second element left out (null).
        try b.beginGroup(); try b.field(1); try b.beginList(); try b.endList(); try b.field(0); try b.append(Int32(2)); try b.endGroup()
        try b.beginGroup(); try b.field(0); try b.append(Int32(3)); try b.field(1); try b.beginList()
        try b.beginGroup(); try b.field(0); try b.append(Int64(5)); try b.endGroup()
        try b.beginGroup(); try b.endGroup()
        try b.endList(); try b.endGroup()
        let c = try b.finish()
        #expect(c.leaves.count == 2)
        #expect(c.leaves[0].definitionLevels == [0, 1, 1, 1])
        #expect(c.leaves[0].repetitionLevels.isEmpty)
        #expect(c.leaves[0].values == .int32([0, 1, 2, 3]))
        #expect(c.leaves[1].definitionLevels == [0, 1, 2, 4, 3])
        #expect(c.leaves[1].repetitionLevels == [0, 0, 0, 0, 1])
        #expect(c.leaves[1].values == .int64([0, 0, 0, 5, 0]))

        let bytes = try ParquetWriter.write(fields: [field], columns: [.nested(c)])
        let rows = try ParquetFileReader(source: MemorySource(bytes)).readRows().rows.map { renderJSONLine(names: ["s"], row: $0) }
        #expect(rows == [
            #"{"s":null}"#,
            #"{"s":{"a":1,"l":null}}"#,
            #"{"s":{"a":2,"l":[]}}"#,
            #"{"s":{"a":3,"l":[{"x":5},{"x":null}]}}"#,
        ])
    }

    @Test func mapLevelsAndObjectRendering() throws {
        let field = Field("m", .map(.string, .int32))
        var b = try NestedColumnBuilder(field)
        try b.beginMap(); try b.append("k"); try b.append(Int32(1)); try b.append("j"); try b.appendNull(); try b.endMap()
        try b.beginMap(); try b.endMap()
        try b.appendNull()
        let c = try b.finish()
        #expect(c.leaves[0].definitionLevels == [2, 2, 1, 0])
        #expect(c.leaves[0].repetitionLevels == [0, 1, 0, 0])
        #expect(c.leaves[1].definitionLevels == [3, 2, 1, 0])
        let bytes = try ParquetWriter.write(fields: [field], columns: [.nested(c)])
        let reader = try ParquetFileReader(source: MemorySource(bytes))
        #expect(try Oracle.ourLines(reader) == [#"{"m":{"k":1,"j":null}}"#, #"{"m":{}}"#, #"{"m":null}"#])
        #expect(reader.schema.description.contains("repeated group key_value"))
    }

    @Test func refusalsNameThePathAndCancelledRowsLeaveNoTrace() throws {
        let field = Field("o", .group([Field("id", .int64, nullable: false), Field("tags", .list(of: .string))]), nullable: false)
        var b = try NestedColumnBuilder(field)
        #expect(throws: NestedColumnError.self) { try b.appendNull() }                     // o is required
        b.cancelRow()
        try b.beginGroup()
        try b.field(1)
        #expect(throws: NestedColumnError.self) { try b.append(Int64(1)) }                  // tags is a list
        b.cancelRow()
        try b.beginGroup()
        try b.field(1); try b.beginList(); try b.append("half-written"); try b.endList()
        let missing = #expect(throws: NestedColumnError.self) { try b.endGroup() }          // id is required
        #expect(missing?.description.contains("o.id") == true)
        b.cancelRow()
        try b.beginGroup(); try b.field(0); try b.append(Int64(7)); try b.endGroup()
        let c = try b.finish()
        #expect(c.rowCount == 1)
        #expect(c.leaves[0].values == .int64([7]))
        #expect(c.leaves[1].definitionLevels == [0])   // tags null: only the row that was kept
        #expect(throws: ParquetError.self) {
            try ParquetWriter.write(fields: [field], columns: [.flat(Column.int64([1]))])
        }
        #expect(throws: ParquetError.self) { try ParquetWriter.write(fields: [field], columns: [Column.int64([1])]) }
        var corrupt = c
        corrupt.leaves[1].definitionLevels = [9]
        #expect(throws: ParquetError.self) { try ParquetWriter.write(fields: [field], columns: [.nested(corrupt)]) }
    }

    @Test func nestedLeavesKeepFieldIDsAndChunkMetadata() throws {
        let field = Field("p", .group([
            Field("name", .string, metadata: [KeyValue(key: "role", value: "label")], fieldID: 11),
            Field("scores", .list(Field("element", .double, fieldID: 13)), fieldID: 12),
        ]), fieldID: 10)
        var b = try NestedColumnBuilder(field)
        try b.beginGroup(); try b.field(0); try b.append("x"); try b.endGroup()
        let bytes = try ParquetWriter.write(fields: [field], columns: [.nested(try b.finish())])
        let reader = try ParquetFileReader(source: MemorySource(bytes))
        // Chunk key/value metadata is not part of the schema: the fields come back without it.
        var plain = field
        if case .group(var children) = plain.type {
            children[0].metadata = []
            plain.type = .group(children)
        }
        #expect(try reader.modelFields() == [plain])
        let chunk = reader.metadata.rowGroups[0].columns[0].metaData
        #expect(chunk?.pathInSchema == ["p", "name"])
        #expect(chunk?.keyValueMetadata == [KeyValue(key: "role", value: "label")])
        #expect(reader.metadata.rowGroups[0].columns[1].metaData?.pathInSchema == ["p", "scores", "list", "element"])
    }

    @Test func gatheredRowsEqualRowsBuiltInThatOrder() throws {
        // Random tables of the property matrix, gathered from two halves in a shuffled order.
        for seed in 0..<12 {
            let table = try NestedData.generate(seed: UInt64(seed) &* 31 &+ 5)
            let count = table.columns.first?.rowCount ?? 0
            guard count > 1 else { continue }
            var r = SeededRandom(seed: UInt64(seed))
            let order = Array(0..<count).shuffled(using: &r)
            let half = count / 2
            for (field, column) in zip(table.fields, table.columns) {
                guard case .nested(let all) = column else { continue }
                let parts = [all.slice(0..<half), all.slice(half..<count)]
                let gathered = NestedColumn.gather(parts, order.map { $0 < half ? (0, $0) : (1, $0 - half) })
                var expected = try NestedColumnBuilder(field)
                for row in order { try NestedData.shred(table.expected[row][table.fields.firstIndex(of: field) ?? 0], field, into: &expected) }
                let built = try expected.finish()
                #expect(gathered.rowCount == built.rowCount)
                #expect(zip(gathered.leaves, built.leaves).allSatisfy { $0.sameData($1) }, "seed \(seed) field \(field.name)")
            }
        }
    }
}
