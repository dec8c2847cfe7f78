import Testing
@testable import Pipeline

/// Where the processor's time goes (`ProcessorStats.stages`), as the pipeline bench prints it.
@Suite struct ProcessorStageTests {
    @Test func everyStageOfACommittedBatchIsMeasured() async throws {
        let h = ProcessorHarness()
        try h.produce(0..<2000, invalidEvery: 50)
        let p = RunningProcessor(h.processor(h.sink()))
        try await eventually("2000 records committed") { try await h.checkpoint()[0] == 2000 }
        try h.produce(2000..<2400)  // the second commit looks its keys up in the first one's files
        try await eventually("2400 records committed") { try await h.checkpoint()[0] == 2400 }
        await p.stop()
        let stages = p.stats.stages
        #expect(stages.poll > 0)
        #expect(stages.decode > 0)
        #expect(stages.decodeCPU > 0)
        #expect(stages.index > 0)
        #expect(stages.encode > 0)
        #expect(stages.store > 0)
        #expect(Set(stages.named.map(\.name)) == ["poll", "decode", "decode_cpu", "index", "encode", "store"])
    }
}
