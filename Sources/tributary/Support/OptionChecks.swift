import ArgumentParser

/// Refuses a count option below 1 (`--last must be at least 1`); nil (not given) passes.
func requireAtLeastOne<Count: BinaryInteger>(_ value: Count?, option: String) throws {
    if let value, value < 1 { throw ValidationError("\(option) must be at least 1") }
}
