/// OpenAPI paths of the SQL and lake endpoints (merged into `OpenAPI.document`).
enum OpenAPILake {
    static let fragment = #"""
{
 "schemas": {
  "QueryRequest": {
   "type": "object",
   "required": ["sql"],
   "properties": {
    "sql": {"type": "string", "description": "one read-only query (SELECT, WITH, FROM, VALUES, DESCRIBE…) over the lake's tables, each a view named after its topic"},
    "as_of": {"type": "string", "description": "time travel: an instant (yyyyMMddHHmmssSSS) or UTC time (yyyy-MM-dd HH:mm:ss)"},
    "since": {"type": "string", "description": "incremental read: records committed after this instant (exclusive)"},
    "until": {"type": "string", "description": "… up to this instant (inclusive; default the latest commit); needs since"},
    "with_meta": {"type": "boolean", "default": false, "description": "include Hudi's _hoodie_* meta columns"},
    "limit": {"type": "integer", "description": "row limit (default 10000)"},
    "timeout_ms": {"type": "integer", "description": "cancel the query after this many milliseconds (can only shorten the server's timeout)"}
   }
  },
  "QueryResult": {
   "type": "object",
   "properties": {
    "columns": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string", "description": "DuckDB type, e.g. BIGINT, VARCHAR, TIMESTAMP WITH TIME ZONE"}}}},
    "rows": {"type": "array", "items": {"type": "array", "items": {}}},
    "truncated": {"type": "boolean", "description": "the result had more rows than the limit"},
    "elapsed_ms": {"type": "number"}
   }
  },
  "QueryError": {
   "type": "object",
   "properties": {
    "error": {"type": "string", "description": "DuckDB's own message for bad SQL; a sentence for refused statements, timeouts and limits"},
    "kind": {"type": "string", "enum": ["duckdb", "refused", "timeout", "too_large", "invalid", "engine"]}
   }
  },
  "LakeTable": {
   "type": "object",
   "properties": {
    "name": {"type": "string", "description": "folder and SQL view name (the topic)"},
    "tableName": {"type": "string"},
    "tableVersion": {"type": "integer"},
    "recordKeyFields": {"type": "array", "items": {"type": "string"}},
    "precombineField": {"type": "string"},
    "partitionFields": {"type": "array", "items": {"type": "string"}},
    "columns": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "type": {"type": "string"}, "nullable": {"type": "boolean"}}}},
    "partitions": {"type": "array", "items": {"type": "object", "properties": {"path": {"type": "string"}, "files": {"type": "integer"}, "bytes": {"type": "integer"}}}},
    "files": {"type": "integer"},
    "bytes": {"type": "integer"},
    "commits": {"type": "integer"},
    "latestCommit": {"type": "string"},
    "latestCommitTime": {"type": "string", "format": "date-time"}
   }
  },
  "LakeCommit": {
   "type": "object",
   "properties": {
    "instant": {"type": "string"},
    "time": {"type": "string", "format": "date-time"},
    "action": {"type": "string"},
    "state": {"type": "string", "enum": ["completed", "inflight", "requested"]},
    "operation": {"type": "string"},
    "inserted": {"type": "integer"},
    "updated": {"type": "integer"},
    "deleted": {"type": "integer"},
    "written": {"type": "integer"},
    "bytesWritten": {"type": "integer"},
    "filesWritten": {"type": "integer"},
    "partitions": {"type": "array", "items": {"type": "string"}},
    "checkpoint": {"type": "string", "description": "the Kafka checkpoint committed with the rows (deltastreamer.checkpoint.key)"}
   }
  }
 },
 "paths": {
  "/api/query": {
   "post": {
    "summary": "Run a read-only SQL query over the lake (DuckDB over Hudi snapshots; time travel and incremental reads)",
    "tags": ["lake"],
    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryRequest"}}}},
    "responses": {
     "200": {"description": "The result", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryResult"}}}},
     "400": {"description": "Bad SQL (DuckDB's message), a refused statement (COPY, ATTACH, SET, other files…) or bad options", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryError"}}}},
     "408": {"description": "The query ran longer than the timeout and was cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryError"}}}},
     "413": {"description": "The result is larger than the result-size limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QueryError"}}}},
     "503": {"description": "No lake is configured", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
   }
  },
  "/api/tables": {
   "get": {
    "summary": "The lake's tables: schema, partitions, file counts and sizes of the latest snapshot",
    "tags": ["lake"],
    "responses": {"200": {"description": "Tables", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/LakeTable"}}}}}}
   }
  },
  "/api/tables/{name}": {
   "get": {
    "summary": "One table",
    "tags": ["lake"],
    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
    "responses": {
     "200": {"description": "The table", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LakeTable"}}}},
     "404": {"description": "No such table", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
   }
  },
  "/api/tables/{name}/timeline": {
   "get": {
    "summary": "The table's commit timeline, newest first: operation, rows inserted/updated/deleted, Kafka checkpoint",
    "tags": ["lake"],
    "parameters": [
     {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
     {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 200}}
    ],
    "responses": {
     "200": {"description": "Instants", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/LakeCommit"}}}}},
     "404": {"description": "No such table", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
   }
  }
 }
}
"""#
}
