/// OpenAPI paths of the dashboard endpoints (merged into `OpenAPI.document`).
enum OpenAPIDashboard {
    static let fragment = #"""
{
 "schemas": {
  "DashboardSample": {
   "type": "object",
   "properties": {
    "time": {"type": "integer", "description": "epoch milliseconds"},
    "topics": {"type": "array", "items": {"type": "object", "properties": {
     "topic": {"type": "string"},
     "produced": {"type": "integer", "description": "messages in the topic (sum of high watermarks)"},
     "inRate": {"type": "number", "description": "records in per second (watermark deltas)"},
     "out": {"type": "integer", "description": "records written by the processor (its counters in tributary up, else the group's committed offsets)"},
     "outRate": {"type": "number"},
     "deadLettered": {"type": "integer", "description": "messages in the topic's .dlq"},
     "dlqRate": {"type": "number"},
     "lag": {"type": "integer", "description": "lag of the processor's consumer group"}
    }}},
    "tables": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "bytes": {"type": "integer"}, "files": {"type": "integer"}, "commits": {"type": "integer"}}}},
    "processor": {"type": "object", "nullable": true, "description": "present when a processor runs in the same process", "properties": {
     "batches": {"type": "integer"}, "lastBatchSeconds": {"type": "number"}, "lastCommitSeconds": {"type": "number"},
     "commits": {"type": "integer"}, "conflicts": {"type": "integer"}, "commitRetries": {"type": "integer"}
    }},
    "problems": {"type": "array", "items": {"type": "string"}}
   }
  }
 },
 "paths": {
  "/api/dashboard": {
   "get": {
    "summary": "The dashboard's recent points (oldest first), including one taken now",
    "tags": ["dashboard"],
    "responses": {"200": {"description": "Points", "content": {"application/json": {"schema": {"type": "object", "properties": {"points": {"type": "array", "items": {"$ref": "#/components/schemas/DashboardSample"}}}}}}}}
   }
  },
  "/api/dashboard/stream": {
   "get": {
    "summary": "Server-sent events: an `event: sample` with a DashboardSample as `data` every interval",
    "tags": ["dashboard"],
    "parameters": [
     {"name": "interval", "in": "query", "schema": {"type": "number", "default": 2, "minimum": 0.5, "maximum": 60}, "description": "seconds between events"},
     {"name": "max", "in": "query", "schema": {"type": "integer"}, "description": "end the stream after this many events (default: about 10 minutes; EventSource reconnects)"}
    ],
    "responses": {"200": {"description": "The event stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}}
   }
  }
 }
}
"""#
}
