import CRdKafka
import Foundation

/// Messages handed back by one `KafkaConsumer.poll`, stored contiguously: keys, values
/// and headers of all messages share one byte buffer, so a batch costs a few
/// allocations however many messages it holds.
public struct ConsumedBatch: Sendable, RandomAccessCollection {
    struct Entry: Sendable {
        var topicIndex: Int32
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var keyStart: Int32, keyLength: Int32  // keyLength -1: no key
        var valueStart: Int32, valueLength: Int32
        var headerStart: Int32, headerCount: Int32
    }
    struct HeaderEntry: Sendable {
        var nameStart: Int32, nameLength: Int32
        var valueStart: Int32, valueLength: Int32  // -1: null value
    }

    var storage: [UInt8] = []
    var entries: [Entry] = []
    var headerEntries: [HeaderEntry] = []
    var topics: [String] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }
    public subscript(position: Int) -> ConsumedMessage { ConsumedMessage(batch: self, index: position) }

    /// The total size of keys, values and headers in bytes.
    public var byteCount: Int { storage.count }

    /// The offset to commit per partition: one past the last message of each.
    public var nextOffsets: [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        for entry in entries {
            let tp = TopicPartition(topics[Int(entry.topicIndex)], entry.partition)
            result[tp] = Swift.max(result[tp] ?? 0, entry.offset + 1)
        }
        return result
    }

    // Index-based access for hot loops (no per-message view or topic string).

    /// Topic names of the batch; ``topicIndex(at:)`` indexes into it.
    public var topicNames: [String] { topics }
    public func topicIndex(at index: Int) -> Int { Int(entries[index].topicIndex) }
    public func partition(at index: Int) -> Int32 { entries[index].partition }
    public func offset(at index: Int) -> Int64 { entries[index].offset }
    /// Where message `index`'s value lies in the bytes ``withStorageBytes(_:)`` passes.
    public func valueRange(at index: Int) -> Range<Int> {
        let e = entries[index]
        return Int(e.valueStart)..<Int(e.valueStart + e.valueLength)
    }
    /// Calls `body` with all keys, values and headers of the batch in place.
    public func withStorageBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }

    /// Appends a message given as values (consumers that are not librdkafka's, e.g. in memory).
    public mutating func append(topic: String, partition: Int32, offset: Int64, timestamp: Int64 = -1,
                                key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = []) {
        let topicIndex: Int
        if let last = topics.indices.last, topics[last] == topic {
            topicIndex = last
        } else if let known = topics.firstIndex(of: topic) {
            topicIndex = known
        } else {
            topics.append(topic)
            topicIndex = topics.count - 1
        }
        var entry = Entry(
            topicIndex: Int32(topicIndex), partition: partition, offset: offset, timestamp: timestamp,
            keyStart: 0, keyLength: -1, valueStart: 0, valueLength: Int32(value.count),
            headerStart: Int32(headerEntries.count), headerCount: Int32(headers.count))
        if let key {
            entry.keyStart = Int32(storage.count)
            entry.keyLength = Int32(key.count)
            storage.append(contentsOf: key)
        }
        entry.valueStart = Int32(storage.count)
        storage.append(contentsOf: value)
        for header in headers {
            var stored = HeaderEntry(nameStart: Int32(storage.count), nameLength: Int32(header.name.utf8.count), valueStart: 0, valueLength: -1)
            storage.append(contentsOf: header.name.utf8)
            if let bytes = header.value {
                stored.valueStart = Int32(storage.count)
                stored.valueLength = Int32(bytes.count)
                storage.append(contentsOf: bytes)
            }
            headerEntries.append(stored)
        }
        entries.append(entry)
    }

    /// Room for the keys and values of `count` polled messages: the storage is allocated
    /// once at its final size, not grown by doubling (which left up to half of every
    /// batch's buffer unused while the batch is collected).
    mutating func reserveCapacity(_ messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int) {
        var bytes = 0, entryCount = 0
        for i in 0..<count {
            guard let message = messages[i], message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            bytes += message.pointee.len + (message.pointee.key == nil ? 0 : message.pointee.key_len)
            entryCount += 1
        }
        storage.reserveCapacity(storage.count + bytes)
        entries.reserveCapacity(entries.count + entryCount)
    }

    mutating func append(_ m: UnsafeMutablePointer<rd_kafka_message_t>, lastTopic: inout (OpaquePointer?, Int32)) {
        let message = m.pointee
        if message.rkt != lastTopic.0 {
            let name = String(cString: rd_kafka_topic_name(message.rkt))
            if let index = topics.firstIndex(of: name) {
                lastTopic = (message.rkt, Int32(index))
            } else {
                topics.append(name)
                lastTopic = (message.rkt, Int32(topics.count - 1))
            }
        }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(m, &tsType)
        var entry = Entry(
            topicIndex: lastTopic.1, partition: message.partition, offset: message.offset,
            timestamp: timestamp, keyStart: 0, keyLength: -1, valueStart: 0, valueLength: 0,
            headerStart: Int32(headerEntries.count), headerCount: 0)
        if let key = message.key {
            entry.keyStart = Int32(storage.count)
            entry.keyLength = Int32(message.key_len)
            storage.append(contentsOf: UnsafeRawBufferPointer(start: key, count: message.key_len))
        }
        entry.valueStart = Int32(storage.count)
        if let payload = message.payload {
            entry.valueLength = Int32(message.len)
            storage.append(contentsOf: UnsafeRawBufferPointer(start: payload, count: message.len))
        }
        var headers: OpaquePointer?
        if rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                index += 1
                guard let name else { continue }
                let nameLength = strlen(name)
                var header = HeaderEntry(nameStart: Int32(storage.count), nameLength: Int32(nameLength), valueStart: 0, valueLength: -1)
                name.withMemoryRebound(to: UInt8.self, capacity: nameLength) {
                    storage.append(contentsOf: UnsafeBufferPointer(start: $0, count: nameLength))
                }
                if let value {
                    header.valueStart = Int32(storage.count)
                    header.valueLength = Int32(size)
                    storage.append(contentsOf: UnsafeRawBufferPointer(start: value, count: size))
                }
                headerEntries.append(header)
                entry.headerCount += 1
            }
        }
        entries.append(entry)
    }
}

/// One message of a `ConsumedBatch` (a view: no copy until you ask for one).
public struct ConsumedMessage: Sendable {
    let batch: ConsumedBatch
    let index: Int
    private var entry: ConsumedBatch.Entry { batch.entries[index] }

    public var topic: String { batch.topics[Int(entry.topicIndex)] }
    public var partition: Int32 { entry.partition }
    public var offset: Int64 { entry.offset }
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
    /// Milliseconds since the epoch (create or log-append time), -1 when unknown.
    public var timestamp: Int64 { entry.timestamp }

    public var key: ArraySlice<UInt8>? {
        let e = entry
        guard e.keyLength >= 0 else { return nil }
        return batch.storage[Int(e.keyStart)..<Int(e.keyStart + e.keyLength)]
    }

    public var value: ArraySlice<UInt8> {
        let e = entry
        return batch.storage[Int(e.valueStart)..<Int(e.valueStart + e.valueLength)]
    }

    /// Calls `body` with the value's bytes in place.
    public func withValueBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let e = entry
        return try batch.storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[Int(e.valueStart)..<Int(e.valueStart + e.valueLength)]))
        }
    }

    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }

    public var headers: [KafkaHeader] {
        let e = entry
        return (Int(e.headerStart)..<Int(e.headerStart + e.headerCount)).map { i in
            let h = batch.headerEntries[i]
            let name = String(decoding: batch.storage[Int(h.nameStart)..<Int(h.nameStart + h.nameLength)], as: UTF8.self)
            let value = h.valueLength < 0 ? nil : Array(batch.storage[Int(h.valueStart)..<Int(h.valueStart + h.valueLength)])
            return KafkaHeader(name, value)
        }
    }

    /// This message alone in a batch of its own: a view keeps all of its poll's bytes
    /// alive, which a message kept for long (a dead letter waiting for its batch's
    /// commit) should not.
    public func detached() -> ConsumedMessage {
        var single = ConsumedBatch()
        single.append(topic: topic, partition: partition, offset: offset, timestamp: timestamp,
                      key: key.map(Array.init), value: Array(value), headers: headers)
        return single[0]
    }

    /// The value of the first header named `name`, as text.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.stringValue
    }
}
