import Parquet
import Testing
import TributaryCore

struct ByteArraysTests {
    @Test func appendsWithoutStringsEqualTheStringForms() {
        var built = ByteArrays()
        var expected: [String] = []
        let source = ByteArrays(strings: ["", "a", "héllo", "20261126_1_"])
        let prefix = Array("20261126_1_".utf8)
        for n in [0, 7, 10, 99, 100, 12345, Int(Int32.max), Int.max] {
            built.append(prefix, decimal: n)
            expected.append("20261126_1_\(n)")
        }
        for i in 0..<source.count {
            built.append(source, at: i)
            expected.append(source.string(at: i))
        }
        #expect(built.strings == expected)
        #expect(built == ByteArrays(strings: expected))
    }

    @Test func valuesOrderIsByteOrderThenLength() {
        var random = SystemRandomNumberGenerator()
        let values: [[UInt8]] = (0..<300).map { _ in (0..<Int.random(in: 0...6, using: &random)).map { _ in UInt8.random(in: 0...3, using: &random) } }
        let packed = ByteArrays(byteArrays: values)
        packed.withValues { view in
            #expect(view.count == values.count)
            for a in 0..<values.count {
                for b in 0..<20 {
                    #expect(view.precedes(a, b) == values[a].lexicographicallyPrecedes(values[b]), "\(values[a]) vs \(values[b])")
                }
            }
        }
    }
}
