import TributaryCore

/// A valid record's key, ordering value and partition value, from its parsed fields.
extension RecordDecoder {
    /// `position`: the ordering value of a change event (streams ordered by their events).
    mutating func appendWriteAttributes(_ message: UnsafeRawBufferPointer, position: Int64?) {
        // Record key: one field's value as it is, several as Hudi's complex key `f1:v1,f2:v2`.
        if keyIndices.count == 1, case .string(let range) = parsed[keyIndices[0]] {
            batch.recordKeys.append(bytes(range, message))
        } else {
            keyBuffer.removeAll(keepingCapacity: true)
            for (n, i) in keyIndices.enumerated() {
                if !keyPrefixes.isEmpty {
                    if n > 0 { keyBuffer.append(UInt8(ascii: ",")) }
                    keyBuffer.append(contentsOf: keyPrefixes[n])
                }
                appendText(of: parsed[i], message, to: &keyBuffer)
            }
            batch.recordKeys.append(keyBuffer)
        }

        var ordering: Int64 = position ?? 0
        if let p = precombineIndex {
            switch parsed[p] {
            case .int64(let v): ordering = v
            case .int32(let v): ordering = Int64(v)
            default: break
            }
        }
        batch.precombine.append(ordering)

        guard let p = partitionIndex else {
            batch.partitionValues.appendEmpty()
            return
        }
        if schema.partition.granularity == .value {
            keyBuffer.removeAll(keepingCapacity: true)
            appendText(of: parsed[p], message, to: &keyBuffer)
            batch.partitionValues.append(keyBuffer)
            return
        }
        // Time periods: records of a batch share a few, so the last one's text is kept.
        let micros: Int64
        switch parsed[p] {
        case .int64(let v): micros = v
        case .int32(let days): micros = Int64(days) * 86_400_000_000
        default: micros = 0
        }
        let periodLength: Int64 = schema.partition.granularity == .hour ? 3_600_000_000 : 86_400_000_000
        let period = micros >= 0 ? micros / periodLength : (micros - periodLength + 1) / periodLength
        if period != lastPeriod {
            lastPeriod = period
            lastPartition.removeAll(keepingCapacity: true)
            ScalarParsing.appendDate(ofMicros: micros, to: &lastPartition)
            switch schema.partition.granularity {
            case .year: lastPartition.removeLast(6)
            case .month: lastPartition.removeLast(3)
            case .hour:
                let hour = Int(((period % 24) + 24) % 24)
                lastPartition.append(UInt8(ascii: "T"))
                lastPartition.append(UInt8(48 + hour / 10))
                lastPartition.append(UInt8(48 + hour % 10))
            default: break
            }
        }
        batch.partitionValues.append(lastPartition)
    }

    /// A key or partition value as text: strings as they are, numbers in decimal, dates as
    /// `yyyy-MM-dd`, booleans as `true`/`false`.
    private func appendText(of value: ParsedValue, _ message: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        switch value {
        case .string(let range): out.append(contentsOf: bytes(range, message))
        case .int64(let v): out.append(contentsOf: String(v).utf8)
        case .int32(let days): ScalarParsing.appendDate(ofMicros: Int64(days) * 86_400_000_000, to: &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .double(let d): out.append(contentsOf: "\(d)".utf8)
        case .none, .nested: break
        }
    }
}
