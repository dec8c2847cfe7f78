import Foundation
import Testing
import TributaryCore

/// The one JSON parser and writer: round trips, key order, options, refusals.
@Suite struct JSONTests {
    @Test func compactTextParsesBackToTheSameValue() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<300 {
            let v = Self.randomValue(depth: 0, using: &rng)
            #expect(try JSONValue.parse(v.json) == v)
            #expect(try JSONValue.parse(v.pretty()) == v)
        }
    }

    @Test func objectKeysKeepTheirOrderAndRepeatedKeysReadTheLast() throws {
        let v = try JSONValue.parse(#"{"z":1,"a":{"y":[true,null],"b":"x"},"z":2}"#)
        #expect(v.objectEntries?.map(\.0) == ["z", "a", "z"])
        #expect(v["z"] == .int(2))
        #expect(v["a"]?["y"] == .array([.bool(true), .null]))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let v = try JSONValue.parse(#""tab\t quote\" \u00e9 \ud83d\ude00 \\""#)
        #expect(v == .string("tab\t quote\" é 😀 \\"))
        #expect(try JSONValue.parse(v.json) == v)
    }

    @Test func nonFiniteNumbersAndBigIntegersOnlyWhenAsked() throws {
        #expect(throws: JSONError.self) { try JSONValue.parse("NaN") }
        let lenient = JSONParser.Options(allowsNonFiniteNumbers: true, keepsBigIntegersAsText: true)
        #expect(try JSONValue.parse("[NaN,-Infinity,123456789012345678901]", options: lenient)
            == .array([.double(.nan), .double(-.infinity), .string("123456789012345678901")]))
        #expect(try JSONValue.parse("123456789012345678901") == .double(1.2345678901234568e20))
    }

    @Test func malformedTextIsRefusedWithItsOffset() {
        for bad in ["", "{", "[1,]", #"{"a" 1}"#, "tru", "1 2", #""\u12"#, "-", String(repeating: "[", count: 500)] {
            #expect(throws: JSONError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
        do { _ = try JSONValue.parse("[1, x]") } catch let e as JSONError { #expect(e.offset == 4) } catch { Issue.record("\(error)") }
    }

    static func randomValue(depth: Int, using rng: inout SeededRandom) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: .min ... .max, using: &rng))
        case 3: return .double(Double.random(in: -1e12...1e12, using: &rng))
        case 4:
            let scalars = (0..<Int.random(in: 0..<8, using: &rng)).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x1F6FF, using: &rng)) }
            return .string(String(String.UnicodeScalarView(scalars.filter { !(0xD800...0xDFFF).contains($0.value) })))
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(depth: depth + 1, using: &rng) })
        default:
            return .object((0..<Int.random(in: 0..<4, using: &rng)).map { i in ("k\(i)", randomValue(depth: depth + 1, using: &rng)) })
        }
    }
}
