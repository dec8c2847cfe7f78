/// TributaryCore: the small shared core every module may import (as swift-nio's NIOCore):
/// the in-memory columnar model and schema fields, civil dates, one JSON value type with its
/// parser and writer, Avro, varints, one retry/backoff policy, one seeded random generator
/// and one child-process supervisor. It depends on nothing but the standard library and
/// Foundation, so importing it never pulls in a file format or a client.
public enum TributaryCore {}
