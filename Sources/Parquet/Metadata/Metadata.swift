import TributaryCore

/// One node of the flattened schema list in the footer (`SchemaElement`).
public struct SchemaElement: Sendable, Equatable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldId: Int32?
    public var logicalType: LogicalType?

    public init(name: String, type: PhysicalType? = nil, typeLength: Int32? = nil, repetition: Repetition? = nil,
                numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil,
                precision: Int32? = nil, fieldId: Int32? = nil, logicalType: LogicalType? = nil) {
        self.name = name; self.type = type; self.typeLength = typeLength; self.repetition = repetition
        self.numChildren = numChildren; self.convertedType = convertedType; self.scale = scale
        self.precision = precision; self.fieldId = fieldId; self.logicalType = logicalType
    }
}

/// Page or column-chunk statistics; `min`/`max` hold PLAIN-encoded values (no length prefix).
public struct Statistics: Sendable, Equatable {
    public var max: [UInt8]?
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    /// True when `min`/`max` came from the legacy fields 1/2 (sort order may be signed bytes).
    public var isLegacy = false
    public init(min: [UInt8]? = nil, max: [UInt8]? = nil, nullCount: Int64? = nil, distinctCount: Int64? = nil) {
        self.min = min; self.max = max; self.nullCount = nullCount; self.distinctCount = distinctCount
    }
}

/// Metadata of one column chunk.
public struct ColumnMetaData: Sendable, Equatable {
    public var type: PhysicalType
    public var encodings: [Encoding]
    public var pathInSchema: [String]
    public var codec: CompressionCodec
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var keyValueMetadata: [KeyValue]?
    public var dataPageOffset: Int64
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
}

/// A column chunk: where it is and its metadata.
public struct ColumnChunk: Sendable, Equatable {
    public var filePath: String?
    public var fileOffset: Int64
    public var metaData: ColumnMetaData?
}

/// A row group: its column chunks and size.
public struct RowGroup: Sendable, Equatable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

/// The file footer.
public struct FileMetaData: Sendable, Equatable {
    public var version: Int32
    public var schema: [SchemaElement]
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: [KeyValue]?
    public var createdBy: String?
    /// Number of `ColumnOrder` entries (all TYPE_ORDER when written by us).
    public var columnOrderCount: Int?
}

/// Page kinds.
enum PageType: Int32 {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3
}

struct DataPageHeader: Equatable {
    var numValues: Int32
    var encoding: Encoding
    var definitionLevelEncoding: Encoding
    var repetitionLevelEncoding: Encoding
    var statistics: Statistics?
}

struct DictionaryPageHeader: Equatable {
    var numValues: Int32
    var encoding: Encoding
    var isSorted: Bool?
}

struct DataPageHeaderV2: Equatable {
    var numValues: Int32
    var numNulls: Int32
    var numRows: Int32
    var encoding: Encoding
    /// 0 for a page without those levels (a required, or a flat, column).
    var definitionLevelsByteLength: Int32 = 0
    var repetitionLevelsByteLength: Int32 = 0
    var isCompressed: Bool = true
    var statistics: Statistics?
}

struct PageHeader: Equatable {
    var type: PageType
    var uncompressedPageSize: Int32
    var compressedPageSize: Int32
    var crc: Int32?
    var dataPageHeader: DataPageHeader?
    var dictionaryPageHeader: DictionaryPageHeader?
    var dataPageHeaderV2: DataPageHeaderV2?
}
