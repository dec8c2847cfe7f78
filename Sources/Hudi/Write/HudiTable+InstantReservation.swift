extension HudiTable {
    /// The next instant time, strictly after the newest on the timeline, for a write whose
    /// rows must carry it (the processor's `_batch_id` column): pass it to
    /// `write(_:operation:extraMetadata:instant:)`.
    public func nextInstantTime() async throws -> String {
        instantTimes.next(after: try await timeline().latestTimestamp)
    }
}
