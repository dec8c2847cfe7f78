import KafkaClient
import Testing
@testable import Pipeline

/// The processor's offset rules as pure values: the partition ledger, the offset filter,
/// the commit bookkeeping.
@Suite struct PartitionLedgerTests {
    let p0 = TopicPartition("t", 0), p1 = TopicPartition("t", 1), other = TopicPartition("u", 0)

    @Test func assignmentStartsAtTheCheckpointAndIsReportedOnce() {
        var ledger = PartitionLedger()
        ledger.reload(KafkaCheckpoint(topic: "t", offsets: [0: 40]))
        ledger.collected(next: [p0: 55], rewound: [], careful: false)
        #expect(ledger.nextOffset(p0, careful: false) == 55)
        let start0 = ledger.assign(p0), start1 = ledger.assign(p1)
        #expect(start0 == 40)
        #expect(start1 == -2, "no checkpoint: the beginning")
        #expect(ledger.nextOffset(p0, careful: false) == 40, "an assignment reads from the checkpoint")
        let fresh = ledger.takeFreshlyAssigned(), again = ledger.takeFreshlyAssigned()
        #expect(fresh == [p0: 40, p1: -2])
        #expect(again.isEmpty)
    }

    @Test func readPositionsFollowBatchesUntilACarefulPathOrSeek() {
        var ledger = PartitionLedger()
        ledger.reload(KafkaCheckpoint(topic: "t", offsets: [0: 10, 1: 20]))
        ledger.collected(next: [p0: 15, p1: 25], rewound: [], careful: false)
        #expect(ledger.nextOffset(p0, careful: false) == 15)
        #expect(ledger.nextOffset(p0, careful: true) == 10)
        ledger.collected(next: [p0: 18], rewound: [p1], careful: false)
        #expect(ledger.nextOffset(p1, careful: false) == 20, "a rewound partition reads from its checkpoint")
        ledger.collected(next: [p0: 19], rewound: [], careful: true)
        #expect(ledger.nextOffset(p0, careful: false) == 19)
        ledger.collected(next: [p1: 22], rewound: [], careful: true)
        #expect(ledger.nextOffset(p0, careful: false) == 10, "the careful path forgets other positions")
        ledger.clearReadPositions()
        #expect(ledger.nextOffset(p1, careful: false) == 20)
    }

    @Test func reloadReplacesOnlyItsTopic() {
        var ledger = PartitionLedger()
        ledger.reload(KafkaCheckpoint(topic: "t", offsets: [0: 10, 1: 20]))
        ledger.reload(KafkaCheckpoint(topic: "u", offsets: [0: 5]))
        ledger.reload(KafkaCheckpoint(topic: "t", offsets: [1: 30]))
        #expect(ledger.checkpoints(topic: "t") == [1: 30])
        #expect(ledger.allCheckpoints == [p1: 30, other: 5])
        #expect(ledger.seekTargets([p0, p1]) == [p0: 0, p1: 30])
    }

    @Test func aResetKeepsTheTableOffsetUntilACommitRecordsIt() {
        var ledger = PartitionLedger()
        ledger.reload(KafkaCheckpoint(topic: "t", offsets: [0: 100]))
        ledger.resetPastLogEnd(p0, checkpoint: 100, earliest: 0)
        ledger.resetPastLogEnd(p0, checkpoint: 0, earliest: 3)  // found again before a commit
        #expect(ledger.resets(topics: ["t"]) == [p0: CheckpointReset(from: 100, to: 3)])
        #expect(ledger.resets(topics: ["u"]).isEmpty)
        #expect(ledger.checkpoint(p0) == 3)
        ledger.committed(topic: "t", next: [0: 8], resets: [p0])
        #expect(ledger.resets(topics: ["t"]).isEmpty)
        #expect(ledger.checkpoint(p0) == 8)
    }

    @Test func commitsSettleOnlyTheDeadLettersTheyCover() {
        var ledger = PartitionLedger()
        ledger.rememberDeadLettered([p0: [3, 7, 12], p1: [1]])
        ledger.committed(topic: "t", next: [0: 10], resets: [])
        #expect(ledger.deadLettered == [p0: [12], p1: [1]], "a crashed batch that went further is still skipped")
        ledger.committed(topic: "t", next: [0: 13, 1: 2], resets: [])
        #expect(ledger.deadLettered.isEmpty)
        #expect(ledger.checkpoint(p0) == 13)
        ledger.committed(topic: "t", next: [0: 11], resets: [])
        #expect(ledger.checkpoint(p0) == 13, "checkpoints never go back")
    }
}

@Suite struct OffsetFilterTests {
    let tp = TopicPartition("t", 0)

    func chunk(_ offsets: [Int64], partition: Int32 = 0) -> ConsumedBatch {
        var batch = ConsumedBatch()
        for o in offsets { batch.append(topic: "t", partition: partition, offset: o, key: nil, value: Array("{}".utf8)) }
        return batch
    }

    @Test func takesFromTheExpectedOffsetAndSkipsWhatCameBefore() {
        var filter = OffsetFilter(careful: false)
        let taken = filter.select(chunk([3, 4, 5, 6, 5, 7]), assignment: [tp], nextOffset: { _ in 5 }, watermarks: { _ in (0, 8) })
        #expect(taken == [2, 3, 5])
        #expect(filter.skipped == ["t": 3])
        #expect(filter.gaps.isEmpty)
        #expect(filter.tookFrom(tp))
    }

    @Test func aFirstRecordPastTheCheckpointIsAGap() {
        var filter = OffsetFilter(careful: false)
        let taken = filter.select(chunk([9, 10]), assignment: [tp], nextOffset: { _ in 5 }, watermarks: { _ in (9, 11) })
        #expect(taken == [0, 1])
        #expect(filter.gaps.map { $0.1 } == [CheckpointGap(partition: 0, from: 5, to: 9)])
    }

    @Test func rareCasesTakeTheCarefulPath() {
        func select(_ offsets: [Int64], careful: Bool, assigned: Bool = true, expected: Int64,
                    marks: (low: Int64, high: Int64)?) -> ([Int]?, OffsetFilter) {
            var filter = OffsetFilter(careful: careful)
            let taken = filter.select(chunk(offsets), assignment: assigned ? [tp] : [], nextOffset: { _ in expected }, watermarks: { _ in marks })
            return (taken, filter)
        }
        #expect(select([0], careful: false, assigned: false, expected: 0, marks: nil).0 == nil, "not assigned")
        #expect(select([0], careful: false, expected: 50, marks: (0, 10)).0 == nil, "past the log end")
        #expect(select([0, 1], careful: true, assigned: false, expected: 0, marks: nil).0 == [])
        let (resetTaken, reset) = select([0, 1], careful: true, expected: 50, marks: (0, 10))
        #expect(resetTaken == [0, 1])
        #expect(reset.pastLogEnd[tp]?.checkpoint == 50)
        #expect(reset.rewind.isEmpty)
        let (rewindTaken, rewind) = select([8, 9], careful: true, expected: 50, marks: (2, 10))
        #expect(rewindTaken == [])
        #expect(rewind.rewind == [tp: 2], "read again from the earliest offset")
    }
}

@Suite struct CommitBookkeepingTests {
    func request(expected: [Int32: Int64], checkpoint: [Int32: Int64], deadLetterEnds: [Int32: Int64] = [:]) -> CommitRequest {
        var decoder = RecordDecoder(schema: .seed("user_events")!, nowMicros: 0)
        var request = CommitRequest(topic: "t", records: decoder.finish(batchID: "1", ingestedAtMicros: 0),
                                    expected: KafkaCheckpoint(topic: "t", offsets: expected),
                                    checkpoint: KafkaCheckpoint(topic: "t", offsets: checkpoint), batchID: "1")
        request.deadLetterEnds = deadLetterEnds
        return request
    }

    @Test func movedPartitionsMustHoldWhatTheBatchReadFrom() throws {
        let latest = CommitBookkeeping(checkpoint: KafkaCheckpoint(topic: "t", offsets: [0: 10, 1: 20]))
        let merged = try latest.merging(request(expected: [0: 10], checkpoint: [0: 15], deadLetterEnds: [0: 4]))
        #expect(merged.checkpoint.offsets == [0: 15, 1: 20], "another processor's partition is kept")
        #expect(merged.deadLetterEnds.bySource == [0: [0: 4]])
        #expect(throws: CheckpointConflict.self) { try merged.merging(request(expected: [0: 10], checkpoint: [0: 12])) }
    }

    @Test func bookkeepingIsTextOnlyInCommitMetadata() throws {
        let bookkeeping = CommitBookkeeping(checkpoint: KafkaCheckpoint(topic: "t", offsets: [0: 15, 1: 20]),
                                            deadLetterEnds: DeadLetterEnds(bySource: [0: [0: 4, 1: 2], 1: [0: 3]]))
        #expect(bookkeeping.metadata == [KafkaCheckpoint.metadataKey: "t,0:15,1:20", deadLetterEndKey: "0=0:4/1:2;1=0:3"])
        #expect(CommitBookkeeping(metadata: bookkeeping.metadata, topic: "t") == bookkeeping)
        let legacy = CommitBookkeeping(metadata: [deadLetterEndKey: "0:7"], topic: "t")
        #expect(legacy.deadLetterEnds.scanStart(dlqPartition: 0) == 7)
        let gaps = [CheckpointGap(partition: 0, from: 20, to: 0), CheckpointGap(partition: 3, from: 5, to: 9)]
        #expect(CheckpointGap.encoded(gaps) == "0:20->0,3:5->9")
        #expect(CheckpointGap.decoded(CheckpointGap.encoded(gaps)) == gaps)
    }
}
