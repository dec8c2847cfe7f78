import TributaryCore

extension ColumnChunkWriter {
    /// Splits entries into pages by row count and (estimated) encoded size. With
    /// repetition levels, pages end only where a row starts (repetition level 0).
    func pageRanges(_ column: Column, validity: [Bool]?, repetitions: [UInt8]?, dict: DictionaryEncoded?, indexWidth: Int) -> [Page] {
        let fixedWidth: Int
        switch column.values {
        case .boolean: fixedWidth = 1
        case .int32, .float: fixedWidth = 4
        case .int64, .double: fixedWidth = 8
        case .int96: fixedWidth = 12
        case .fixedLenByteArray: fixedWidth = field.type.typeLength ?? 1
        case .byteArray: fixedWidth = 0
        }
        let offsets: [Int32]? = { if dict == nil, case .byteArray(let b) = column.values { return b.offsets } else { return nil } }()
        if let repetitions {
            return nestedPageRanges(column.count, validity: validity, repetitions: repetitions, offsets: offsets,
                                    bitsPerValue: dict != nil ? max(indexWidth, 1) : fixedWidth * 8)
        }
        let rows = column.count
        var pages: [Page] = []
        var row = 0
        var value = 0
        let limit = options.pageRowLimit
        while row < rows || (rows == 0 && pages.isEmpty) {
            let startRow = row, startValue = value
            if let offsets {
                // PLAIN byte arrays: cut pages by encoded size.
                var bytes = 0
                while row < rows && row - startRow < limit && bytes < options.pageSize {
                    if validity?[row] ?? true {
                        bytes += 4 + Int(offsets[row + 1] - offsets[row])
                        value += 1
                    }
                    row += 1
                }
            } else {
                // Fixed-size entries (values or dictionary indices): size is a row count.
                let width = dict != nil ? max(indexWidth, 1) : fixedWidth * 8
                let maxRows = max(1, min(limit, options.pageSize * 8 / max(width, 1)))
                let end = min(rows, row + maxRows)
                if let validity {
                    value += validity[row..<end].reduce(0) { $0 + ($1 ? 1 : 0) }
                } else {
                    value += end - row
                }
                row = end
            }
            pages.append(Page(entries: startRow..<row, values: startValue..<value, rows: row - startRow))
            if rows == 0 { break }
        }
        return pages
    }

    /// Whole rows per page: a page is closed at a row start once it holds `pageRowLimit`
    /// rows or about `pageSize` bytes of values.
    private func nestedPageRanges(_ entries: Int, validity: [Bool]?, repetitions: [UInt8], offsets: [Int32]?,
                                  bitsPerValue: Int) -> [Page] {
        var pages: [Page] = []
        var entry = 0, value = 0
        let limit = max(1, options.pageRowLimit), byteLimit = max(1, options.pageSize)
        repeat {
            let startEntry = entry, startValue = value
            var rows = 0, bits = 0
            while entry < entries && rows < limit && bits < byteLimit * 8 {
                // One row: its first entry and those that repeat within it.
                rows += 1
                repeat {
                    if validity?[entry] ?? true {
                        value += 1
                        if let offsets { bits += 8 * (4 + Int(offsets[entry + 1] - offsets[entry])) } else { bits += bitsPerValue }
                    }
                    bits += 2  // the entry's levels, roughly
                    entry += 1
                } while entry < entries && repetitions[entry] != 0
            }
            pages.append(Page(entries: startEntry..<entry, values: startValue..<value, rows: rows))
        } while entry < entries
        return pages
    }
}
