import TributaryCore

extension NestedColumn {
    /// Throws unless every leaf has the layout's type and levels, and `rowCount` rows.
    func check(against layout: NestedLayout) throws {
        let name = layout.nodes.first?.field.name ?? "?"
        guard leaves.count == layout.leaves.count else {
            throw ParquetError(.invalidArgument, "column \(name) has \(layout.leaves.count) leaves but got \(leaves.count)")
        }
        for (leaf, data) in zip(layout.leaves, leaves) {
            let path = leaf.path.joined(separator: ".")
            guard data.values.physicalType == leaf.field.type.physicalType else {
                throw ParquetError(.invalidArgument, "column \(path) is \(leaf.field.type.physicalType) but got \(data.values.physicalType) values")
            }
            guard data.maxDefinitionLevel == leaf.maxDefinitionLevel, data.maxRepetitionLevel == leaf.maxRepetitionLevel else {
                throw ParquetError(.invalidArgument, "column \(path) has levels up to \(leaf.maxDefinitionLevel)/\(leaf.maxRepetitionLevel), got \(data.maxDefinitionLevel)/\(data.maxRepetitionLevel)")
            }
            let n = data.entryCount
            if leaf.maxDefinitionLevel > 0 {
                guard data.definitionLevels.count == n else {
                    throw ParquetError(.invalidArgument, "column \(path) has \(data.definitionLevels.count) definition levels for \(n) entries")
                }
                let top = UInt8(leaf.maxDefinitionLevel)
                guard !data.definitionLevels.contains(where: { $0 > top }) else {
                    throw ParquetError(.invalidArgument, "column \(path) has a definition level above \(top)")
                }
            }
            var rows = n
            if leaf.maxRepetitionLevel > 0 {
                guard data.repetitionLevels.count == n else {
                    throw ParquetError(.invalidArgument, "column \(path) has \(data.repetitionLevels.count) repetition levels for \(n) entries")
                }
                let top = UInt8(leaf.maxRepetitionLevel)
                guard data.repetitionLevels.first ?? 0 == 0, !data.repetitionLevels.contains(where: { $0 > top }) else {
                    throw ParquetError(.invalidArgument, "column \(path) has repetition levels that do not start a row or exceed \(top)")
                }
                rows = data.repetitionLevels.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
            }
            guard rows == rowCount else {
                throw ParquetError(.invalidArgument, "column \(path) holds \(rows) rows, expected \(rowCount)")
            }
        }
    }
}
