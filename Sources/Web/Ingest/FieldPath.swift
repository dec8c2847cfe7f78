import Pipeline

/// A form control's name as a path into the record: `customer.address.city`, `items[0].sku`,
/// `tags[2]` — how the nested ingest form names its controls, and how the validator names
/// the value it refuses.
struct FieldPath: Equatable {
    enum Step: Equatable {
        case member(String)
        case index(Int)
    }

    var steps: [Step]

    /// A top-level member named `name`, dots and brackets included.
    init(member name: String) { steps = [.member(name)] }

    /// nil when `text` is not a path (an empty member name, an index that is not a number).
    init?(_ text: String) {
        steps = []
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      index >= 0, !steps.isEmpty else { return nil }
                steps.append(.index(index))
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                guard end > rest.startIndex else { return nil }
                steps.append(.member(String(rest[..<end])))
                rest = rest[end...]
            }
            if rest.first == "." {
                rest = rest.dropFirst()
                if rest.isEmpty || rest.first == "[" { return nil }
            } else if let next = rest.first, next != "[" {
                return nil
            }
        }
        guard case .member = steps.first else { return nil }
    }

    var root: String {
        guard case .member(let name) = steps.first else { return "" }
        return name
    }
}

extension TopicSchema {
    /// The field at `path`: a top-level field, a member of a nested object, an array's element.
    func field(at path: FieldPath) -> TopicField? {
        var members = fields
        var current: TopicField?
        for step in path.steps {
            switch step {
            case .member(let name):
                if let parent = current {
                    guard case .group(let children, _) = parent.type else { return nil }
                    members = children
                }
                guard let found = members.first(where: { $0.name == name }) else { return nil }
                current = found
            case .index:
                guard let parent = current, case .list(let element) = parent.type else { return nil }
                current = element
            }
        }
        return current
    }

    func field(atPath text: String) -> TopicField? { FieldPath(text).flatMap(field(at:)) }
}
