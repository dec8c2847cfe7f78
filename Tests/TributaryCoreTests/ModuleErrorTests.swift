import Testing
import TributaryCore

/// The modules' errors read "<kind's prefix>: <message>" and compare by kind and message.
@Suite struct ModuleErrorTests {
    @Test func descriptionJoinsTheKindsPrefixAndTheMessage() {
        let error = AvroError(.corrupt, "truncated block")
        #expect("\(error)" == "corrupt Avro data: truncated block")
        #expect(error == AvroError(.corrupt, "truncated block"))
        #expect(error != AvroError(.unsupported, "truncated block"))
        #expect(error != AvroError(.corrupt, "bad magic"))
    }

    @Test func catchesMatchOnTheKind() {
        do {
            throw AvroError(.invalidValue, "x")
        } catch let error as AvroError where error.kind == .invalidValue {
            #expect(error.message == "x")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
