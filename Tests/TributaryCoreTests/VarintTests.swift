import Testing
import TributaryCore

@Suite struct VarintTests {
    @Test func valuesRoundTripAndZigzagKeepsSmallMagnitudesShort() throws {
        var rng = SeededRandom(seed: 3)
        var bytes: [UInt8] = []
        var values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, .max]
        values += (0..<500).map { _ in UInt64.random(in: 0 ... .max, using: &rng) >> UInt64.random(in: 0..<64, using: &rng) }
        for v in values { Varint.append(v, to: &bytes) }
        var at = 0
        for v in values { #expect(try Varint.read(bytes, at: &at, end: bytes.count) == v) }
        #expect(at == bytes.count)
        for s: Int64 in [0, -1, 1, -64, 63, .min, .max] { #expect(Varint.unzigzag(Varint.zigzag(s)) == s) }
        #expect(Varint.zigzag(-1) == 1 && Varint.zigzag(1) == 2)
    }

    @Test func truncatedAndOverlongInputIsRefused() {
        var at = 0
        #expect(throws: Varint.Failure.truncated) { try Varint.read([0x80, 0x80], at: &at, end: 2) }
        at = 0
        #expect(throws: Varint.Failure.tooLong) { try Varint.read([UInt8](repeating: 0xFF, count: 11), at: &at, end: 11) }
    }
}
