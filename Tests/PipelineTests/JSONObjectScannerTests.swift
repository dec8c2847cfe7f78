import Testing
@testable import Pipeline

/// Nested objects and arrays: validated by the one container walk (`skipContainer`) and
/// handed back whole; malformed ones are refused with the offset and the reason.
@Suite struct JSONObjectScannerTests {
    /// The top-level members as (key, kind, raw text), or the syntax error.
    func scan(_ json: String) -> Result<[(String, JSONObjectScanner.ValueKind, String)], JSONObjectScanner.SyntaxError> {
        let bytes = Array(json.utf8)
        return bytes.withUnsafeBytes { buffer in
            var scanner = JSONObjectScanner(buffer)
            var members: [(String, JSONObjectScanner.ValueKind, String)] = []
            do {
                try scanner.scanObject { m in
                    members.append((String(decoding: bytes[m.key], as: UTF8.self), m.kind, String(decoding: bytes[m.raw], as: UTF8.self)))
                }
                return .success(members)
            } catch let error as JSONObjectScanner.SyntaxError {
                return .failure(error)
            } catch {
                Issue.record("unexpected error \(error)")
                return .success([])
            }
        }
    }

    @Test func nestedContainersComeBackWhole() throws {
        let members = try scan(#"{"a": { "b" : [1, {"c": []}, "x"], "d": {} }, "e": [ ], "f": [[{}]]}"#).get()
        #expect(members.map(\.0) == ["a", "e", "f"])
        #expect(members.map(\.1) == [.object, .array, .array])
        #expect(members.map(\.2) == [#"{ "b" : [1, {"c": []}, "x"], "d": {} }"#, "[ ]", "[[{}]]"])
    }

    @Test(arguments: [
        (#"{"a":[1 2]}"#, 8, "expected ',' or ']' in an array"),
        (#"{"a":{"b" 1}}"#, 10, "expected ':' after a member name"),
        (#"{"a":{1:2}}"#, 6, "expected a member name in quotes"),
        (#"{"a":{"b":1]}"#, 11, "expected ',' or '}' in an object"),
        (#"{"a":[1,]}"#, 8, "expected a value"),
    ])
    func malformedContainersAreRefused(json: String, offset: Int, message: String) {
        guard case .failure(let error) = scan(json) else { Issue.record("accepted \(json)"); return }
        #expect(error == JSONObjectScanner.SyntaxError(offset: offset, message: message))
    }

    @Test func depthIsBounded() {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect((try? scan(#"{"a":"# + deep + "}").get())?.count == 1)
        let tooDeep = "[" + deep + "]"
        guard case .failure(let error) = scan(#"{"a":"# + tooDeep + "}") else { Issue.record("accepted 65 levels"); return }
        #expect(error.message == "nested deeper than 64 levels")
    }
}
