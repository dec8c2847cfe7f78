import Foundation
import TributaryCore

/// Small helpers for writing JSON text by hand where the exact bytes matter (record
/// values go to the validator as written, so numbers keep their digits).
enum JSONText {
    /// True when `text` is a JSON number literal (so it can be written unquoted).
    static func isNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, (0x30...0x39).contains(first) else { return false }
        var seenDot = false, seenExp = false, lastWasDigit = false
        var previous: UInt8 = 0
        for (i, b) in bytes.enumerated() {
            switch b {
            case 0x30...0x39:
                if i == 1 && previous == 0x30 && first == 0x30 { return false }  // no leading zeros
                lastWasDigit = true
            case UInt8(ascii: "."):
                if seenDot || seenExp || !lastWasDigit { return false }
                seenDot = true; lastWasDigit = false
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                if seenExp || !lastWasDigit { return false }
                seenExp = true; lastWasDigit = false
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E") { return false }
                lastWasDigit = false
            default: return false
            }
            previous = b
        }
        return lastWasDigit
    }

    /// Parses a JSON document (for inspecting, never for re-writing values).
    static func parse(_ text: some Collection<UInt8>) -> JSONValue? {
        try? JSONValue.parse(bytes: Array(text))
    }

    /// Indented JSON with sorted keys for display; the original text when it is not JSON.
    static func pretty(_ bytes: some Collection<UInt8>) -> (text: String, isJSON: Bool) {
        guard let value = parse(bytes) else { return (String(decoding: bytes, as: UTF8.self), false) }
        return (value.sortingKeys().pretty(), true)
    }
}

/// Epoch microseconds of the wall clock.
public func epochMicrosNow() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

/// A random token of `bytes` bytes as lower-case hex (session ids, CSRF tokens).
func randomToken(bytes: Int = 24) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in
        let b = UInt8.random(in: 0...255, using: &generator)
        return String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16)
    }.joined()
}

/// Compares secrets in time independent of where they first differ.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}
