import CRdKafka

extension KafkaHandle {
    /// One librdkafka admin request, made the way every admin call makes it: options of
    /// `kind` with the request timeout (and the broker-side operation timeout when
    /// `operationTimeout`), a private result queue, `send` to start the request on them,
    /// then the result event — waited for up to the timeout plus 2 s — handed to `read`
    /// when it carries no error. Blocks: call it inside ``offload(_:)``.
    func adminRequest<T>(
        _ kind: rd_kafka_admin_op_t, operation: String, timeout: Int32, operationTimeout: Bool = false,
        send: (_ options: OpaquePointer?, _ queue: OpaquePointer?) -> Void,
        read: (_ event: OpaquePointer) throws -> T
    ) throws -> T {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let queue = rd_kafka_queue_new(pointer)
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(pointer, kind)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errorBuffer, errorBuffer.count)
        if operationTimeout {
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout, &errorBuffer, errorBuffer.count)
        }
        send(options, queue)
        guard let event = rd_kafka_queue_poll(queue, timeout + 2000) else {
            throw KafkaError(.timedOut, operation: operation, reason: "no answer")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: eventError, operation: operation, reason: String(cString: rd_kafka_event_error_string(event)))
        }
        return try read(event)
    }

    /// ``adminRequest(_:operation:timeout:operationTimeout:send:read:)`` for an answer that
    /// lists one item per thing asked about: `read` gets the items of the event's `result`
    /// (librdkafka's `rd_kafka_…_result_…(result, &count)` array, null entries skipped; none
    /// when the event carries no such result).
    func adminRequest<T>(
        _ kind: rd_kafka_admin_op_t, operation: String, timeout: Int32,
        send: (_ options: OpaquePointer?, _ queue: OpaquePointer?) -> Void,
        result: (_ event: OpaquePointer) -> OpaquePointer?,
        items: (_ result: OpaquePointer, _ count: UnsafeMutablePointer<Int>) -> UnsafeMutablePointer<OpaquePointer?>?,
        read: (_ items: [OpaquePointer]) throws -> T
    ) throws -> T {
        try adminRequest(kind, operation: operation, timeout: timeout, send: send) { event in
            var count = 0
            guard let typed = result(event), let list = items(typed, &count) else { return try read([]) }
            return try read((0..<count).compactMap { list[$0] })
        }
    }
}
