import TributaryCore

/// Parsers of the scalar formats topics use, on raw bytes (no String, no Foundation).
enum ScalarParsing {
    /// Microseconds since the epoch from RFC 3339 / ISO-8601 text with an offset
    /// (`2026-11-26T10:15:30.123Z`, `...+01:00`, `T` or space; up to 9 fraction digits,
    /// truncated to microseconds). nil when malformed or without an offset.
    static func rfc3339Micros(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count >= 20 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for i in at..<(at + n) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var micros = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if n < 6 { micros = micros * 10 + Int(b[i] - 48) }
                n += 1
                i += 1
            }
            guard n > 0 else { return nil }
            for _ in min(n, 6)..<6 { micros *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let oh = digits(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate.days(year: Int64(year), month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return seconds * 1_000_000 + Int64(micros)
    }

    /// Days since 1970-01-01 of a `yyyy-MM-dd` date (years 0001–9999), nil when malformed.
    static func dateDays(_ b: UnsafeRawBufferPointer) -> Int32? {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), year >= 1, let month = digits(5, 2), (1...12).contains(month),
              let day = digits(8, 2), day >= 1, day <= daysInMonth(year, month) else { return nil }
        return Int32(CivilDate.days(year: Int64(year), month: month, day: day))
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `yyyy-MM-dd` (UTC) of a microsecond timestamp, appended as 10 ASCII bytes.
    static func appendDate(ofMicros micros: Int64, to out: inout [UInt8]) {
        let days = Int(micros >= 0 ? micros / 86_400_000_000 : (micros - 86_399_999_999) / 86_400_000_000)
        let (y64, m, d) = CivilDate.date(days: Int64(days))
        let y = Int(y64)
        func two(_ v: Int) { out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10)) }
        out.append(UInt8(48 + (y / 1000) % 10)); out.append(UInt8(48 + (y / 100) % 10)); two(y % 100)
        out.append(UInt8(ascii: "-")); two(m); out.append(UInt8(ascii: "-")); two(d)
    }

    /// An integer JSON number (optionally negative), nil on overflow or non-digits.
    static func int64(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard !b.isEmpty else { return nil }
        var i = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < b.count else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let c = b[i]
            guard c >= 48, c <= 57 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
            guard !o1, !o2 else { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }

    enum DecimalProblem: Error { case malformed, tooManyDecimals(Int), tooLarge }

    /// Exact decimal text (`123`, `-4.5`, `19.99`, `1e3` not accepted) → unscaled Int64
    /// at `scale` fraction digits; more fraction digits than `scale` is an error, not a rounding.
    static func decimal(_ b: UnsafeRawBufferPointer, scale: Int) -> Result<Int64, DecimalProblem> {
        guard !b.isEmpty else { return .failure(.malformed) }
        var i = 0
        let negative = b[0] == UInt8(ascii: "-")
        if negative || b[0] == UInt8(ascii: "+") { i = 1 }
        var v: Int64 = 0
        var sawDigit = false, fraction = -1
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: ".") {
                guard fraction < 0 else { return .failure(.malformed) }
                fraction = 0
            } else if c >= 48, c <= 57 {
                sawDigit = true
                if fraction >= 0 {
                    fraction += 1
                    if fraction > scale {
                        if c != 48 { return .failure(.tooManyDecimals(scale)) }
                        i += 1
                        continue
                    }
                }
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
                guard !o1, !o2 else { return .failure(.tooLarge) }
                v = a
            } else {
                return .failure(.malformed)
            }
            i += 1
        }
        guard sawDigit else { return .failure(.malformed) }
        for _ in max(fraction, 0)..<scale {
            let (m, o) = v.multipliedReportingOverflow(by: 10)
            guard !o else { return .failure(.tooLarge) }
            v = m
        }
        return .success(negative ? -v : v)
    }

    /// A JSON number as Double (strtod semantics on the exact text).
    static func double(_ b: UnsafeRawBufferPointer) -> Double? {
        // Numbers are short; a stack copy with a terminator is the cheapest correct parse.
        guard b.count < 64 else { return Double(String(decoding: b, as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: b.count + 1) { buf -> Double? in
            guard let base = buf.baseAddress else { return nil }
            for i in 0..<b.count { buf[i] = CChar(bitPattern: b[i]) }
            buf[b.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(base, &end)
            guard end == base + b.count else { return nil }
            return v
        }
    }

    /// Unicode scalar count of UTF-8 bytes (continuation bytes not counted).
    static func characterCount(_ b: UnsafeRawBufferPointer) -> Int {
        var n = 0
        for c in b where c & 0xC0 != 0x80 { n += 1 }
        return n
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
