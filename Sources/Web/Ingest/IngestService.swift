import Foundation
import KafkaClient
import Pipeline

/// The outcome of producing one record.
public struct IngestResult: Sendable, Codable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: String?
}

/// Why a record was not produced: the validator's stage and reason, and the field it names
/// (a path for a nested one: `customer.address.city`, `items[0].sku`).
public struct IngestRefusal: Error, Sendable, Codable, Equatable {
    public var stage: String
    public var reason: String
    public var field: String?
}

/// Validates with the pipeline's decoder and produces valid records; the one path every
/// ingest route (form, REST, upload, generator) goes through.
public struct Ingestor: Sendable {
    public let producer: KafkaProducer
    /// Topic names by schema name (deployments may rename topics).
    public let schemas: [String: TopicSchema]

    public init(producer: KafkaProducer, schemas: [TopicSchema] = TopicSchema.seeds) {
        self.producer = producer
        self.schemas = Dictionary(uniqueKeysWithValues: schemas.map { ($0.name, $0) })
    }

    public func schema(_ name: String) -> TopicSchema? { schemas[name] }

    /// Validates `json`; returns the refusal, or nil.
    public func validate(_ json: [UInt8], schema: TopicSchema) -> IngestRefusal? {
        guard let rejection = RecordValidation.check(json, schema: schema) else { return nil }
        return IngestRefusal(stage: rejection.stage.rawValue, reason: rejection.reason,
                             field: RecordValidation.field(of: rejection, in: schema))
    }

    /// Validates and, when valid, sends one record and waits for the broker's acknowledgement.
    public func produce(_ json: [UInt8], schema: TopicSchema) async throws -> Result<IngestResult, IngestRefusal> {
        if let refusal = validate(json, schema: schema) { return .failure(refusal) }
        let key = RecordValidation.recordKey(json, schema: schema)
        let report = try await producer.send(topic: schema.topic, key: key.map { Array($0.utf8) }, value: json)
        return .success(IngestResult(topic: report.topic, partition: report.partition, offset: report.offset, key: key))
    }
}
