import Foundation

/// The OpenAPI 3 description of the JSON endpoints, served at `/api/openapi.json`.
/// (Kept next to the routes; `GeneratorAndAPITests.openAPIDocumentsEveryAPIRoute` checks every API route is listed.)
enum OpenAPI {
    /// The served document: `base` plus the path fragments of the other route groups.
    static let document: String = merged(base, fragments: [OpenAPILake.fragment, OpenAPIDashboard.fragment])

    /// Adds each fragment's `paths` and `components.schemas` to `base` (both JSON text).
    static func merged(_ base: String, fragments: [String]) -> String {
        guard var doc = JSONText.parse(Array(base.utf8)) as? [String: Any] else { return base }
        var paths = doc["paths"] as? [String: Any] ?? [:]
        var components = doc["components"] as? [String: Any] ?? [:]
        var schemas = components["schemas"] as? [String: Any] ?? [:]
        for fragment in fragments {
            guard let f = JSONText.parse(Array(fragment.utf8)) as? [String: Any] else { continue }
            for (k, v) in f["paths"] as? [String: Any] ?? [:] { paths[k] = v }
            for (k, v) in f["schemas"] as? [String: Any] ?? [:] { schemas[k] = v }
        }
        components["schemas"] = schemas
        doc["components"] = components
        doc["paths"] = paths
        guard let data = try? JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return base }
        return String(decoding: data, as: UTF8.self)
    }

    static let base = #"""
{
 "openapi": "3.0.3",
 "info": {
  "title": "Tributary web API",
  "version": "0.1.0",
  "description": "Every action of the web app as JSON. Authentication: `Authorization: Bearer <web.auth_token>` when a token is configured (always on non-loopback addresses). Unsafe requests from browsers need the CSRF token (header X-CSRF-Token = cookie tributary_csrf) unless they use the bearer token or a non-form content type such as application/json."
 },
 "components": {
  "securitySchemes": {
   "bearer": {
    "type": "http",
    "scheme": "bearer"
   }
  },
  "schemas": {
   "Error": {
    "type": "object",
    "properties": {
     "error": {
      "type": "string"
     },
     "stage": {
      "type": "string",
      "enum": [
       "parse",
       "schema",
       "quality"
      ]
     },
     "field": {
      "type": "string"
     }
    },
    "required": [
     "error"
    ]
   },
   "IngestResult": {
    "type": "object",
    "properties": {
     "topic": {
      "type": "string"
     },
     "partition": {
      "type": "integer"
     },
     "offset": {
      "type": "integer"
     },
     "key": {
      "type": "string"
     }
    }
   },
   "UploadReport": {
    "type": "object",
    "properties": {
     "topic": {
      "type": "string"
     },
     "source": {
      "type": "string"
     },
     "format": {
      "type": "string"
     },
     "bytes": {
      "type": "integer"
     },
     "rows": {
      "type": "integer"
     },
     "produced": {
      "type": "integer"
     },
     "failed": {
      "type": "integer"
     },
     "stoppedBecause": {
      "type": "string"
     },
     "errors": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "row": {
         "type": "integer"
        },
        "stage": {
         "type": "string"
        },
        "reason": {
         "type": "string"
        }
       }
      }
     }
    }
   },
   "GeneratorSettings": {
    "type": "object",
    "properties": {
     "rate": {
      "type": "number"
     },
     "topics": {
      "type": "array",
      "items": {
       "type": "string"
      }
     },
     "updateRatio": {
      "type": "number"
     },
     "deleteRatio": {
      "type": "number"
     },
     "lateRatio": {
      "type": "number"
     },
     "invalidRatio": {
      "type": "number"
     },
     "seed": {
      "type": "integer"
     }
    }
   },
   "GeneratorStatus": {
    "type": "object",
    "properties": {
     "running": {
      "type": "boolean"
     },
     "settings": {
      "$ref": "#/components/schemas/GeneratorSettings"
     },
     "sent": {
      "type": "object",
      "additionalProperties": {
       "type": "integer"
      }
     },
     "total": {
      "type": "integer"
     },
     "lastError": {
      "type": "string"
     }
    }
   },
   "TopicSummary": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "deadLetter": {
      "type": "boolean"
     },
     "messages": {
      "type": "integer"
     },
     "messagesPerSecond": {
      "type": "number",
      "nullable": true,
      "description": "from the change of the watermarks since the previous look (null on the first)"
     },
     "retention": {
      "type": "object",
      "description": "retention.ms as the broker reports it (DescribeConfigs); omitted in lists of many topics",
      "properties": {
       "ms": {
        "type": "integer",
        "nullable": true
       },
       "text": {
        "type": "string",
        "example": "7 days"
       },
       "reported": {
        "type": "boolean",
        "description": "false when the broker does not answer DescribeConfigs (text: unknown)"
       }
      }
     },
     "partitions": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "partition": {
         "type": "integer"
        },
        "leader": {
         "type": "integer"
        },
        "low": {
         "type": "integer"
        },
        "high": {
         "type": "integer"
        },
        "messages": {
         "type": "integer"
        }
       }
      }
     }
    }
   },
   "Message": {
    "type": "object",
    "properties": {
     "topic": {
      "type": "string"
     },
     "partition": {
      "type": "integer"
     },
     "offset": {
      "type": "integer"
     },
     "timestamp": {
      "type": "integer",
      "description": "epoch ms"
     },
     "key": {
      "type": "string"
     },
     "value": {
      "type": "string"
     },
     "isJSON": {
      "type": "boolean"
     },
     "headers": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "name": {
         "type": "string"
        },
        "value": {
         "type": "string"
        }
       }
      }
     },
     "errorStage": {
      "type": "string"
     },
     "errorReason": {
      "type": "string"
     }
    }
   },
   "Group": {
    "type": "object",
    "properties": {
     "name": {
      "type": "string"
     },
     "state": {
      "type": "string"
     },
     "members": {
      "type": "integer"
     },
     "totalLag": {
      "type": "integer"
     },
     "partitions": {
      "type": "array",
      "items": {
       "type": "object",
       "properties": {
        "topic": {
         "type": "string"
        },
        "partition": {
         "type": "integer"
        },
        "committed": {
         "type": "integer"
        },
        "high": {
         "type": "integer"
        },
        "lag": {
         "type": "integer"
        }
       }
      }
     }
    }
   }
  }
 },
 "security": [
  {
   "bearer": []
  }
 ],
 "paths": {
  "/api/topics": {
   "get": {
    "summary": "The five topic schemas (fields, types, required, choices, rules)",
    "tags": [
     "ingest"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {}
      }
     }
    }
   }
  },
  "/api/topics/{topic}/records": {
   "post": {
    "summary": "Validate one record with the processor's validator and produce it",
    "tags": [
     "ingest"
    ],
    "responses": {
     "200": {
      "description": "Produced",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/IngestResult"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Bearer token required (web.auth_token set or non-loopback address)"
     }
    },
    "parameters": [
     {
      "name": "topic",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "user_events, transactions, sensor_data, log_events or bulk_upload (Kafka topic names for the /api/kafka paths)"
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "application/json": {
       "schema": {
        "type": "object"
       }
      }
     }
    }
   }
  },
  "/api/topics/{topic}/upload": {
   "post": {
    "summary": "Bulk upload a CSV or JSONL file (streamed); per-row error report",
    "tags": [
     "ingest"
    ],
    "responses": {
     "200": {
      "description": "Report",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UploadReport"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "413": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "401": {
      "description": "Bearer token required (web.auth_token set or non-loopback address)"
     }
    },
    "parameters": [
     {
      "name": "topic",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "user_events, transactions, sensor_data, log_events or bulk_upload (Kafka topic names for the /api/kafka paths)"
     },
     {
      "name": "format",
      "in": "query",
      "schema": {
       "type": "string",
       "enum": [
        "csv",
        "jsonl"
       ]
      }
     },
     {
      "name": "filename",
      "in": "query",
      "schema": {
       "type": "string"
      }
     }
    ],
    "requestBody": {
     "required": true,
     "content": {
      "text/csv": {},
      "application/x-ndjson": {},
      "application/octet-stream": {}
     }
    }
   }
  },
  "/api/generator": {
   "get": {
    "summary": "Generator status and live counts",
    "tags": [
     "generator"
    ],
    "responses": {
     "200": {
      "description": "Status",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GeneratorStatus"
        }
       }
      }
     }
    }
   }
  },
  "/api/generator/start": {
   "post": {
    "summary": "Start (or restart) the real-time generator",
    "tags": [
     "generator"
    ],
    "responses": {
     "200": {
      "description": "Status",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GeneratorStatus"
        }
       }
      }
     },
     "400": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     },
     "422": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/GeneratorSettings"
       }
      }
     }
    }
   }
  },
  "/api/generator/stop": {
   "post": {
    "summary": "Stop the generator",
    "tags": [
     "generator"
    ],
    "responses": {
     "200": {
      "description": "Status",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/GeneratorStatus"
        }
       }
      }
     }
    }
   }
  },
  "/api/kafka/topics": {
   "get": {
    "summary": "Topics with partitions and watermarks",
    "tags": [
     "kafka"
    ],
    "responses": {
     "200": {
      "description": "Topics",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/TopicSummary"
         }
        }
       }
      }
     }
    }
   }
  },
  "/api/kafka/topics/{topic}": {
   "get": {
    "summary": "One topic",
    "tags": [
     "kafka"
    ],
    "responses": {
     "200": {
      "description": "Topic",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/TopicSummary"
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "topic",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "user_events, transactions, sensor_data, log_events or bulk_upload (Kafka topic names for the /api/kafka paths)"
     }
    ]
   }
  },
  "/api/kafka/topics/{topic}/messages": {
   "get": {
    "summary": "Browse messages (dead-letter topics include error.stage/error.reason)",
    "tags": [
     "kafka"
    ],
    "responses": {
     "200": {
      "description": "Messages",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Message"
         }
        }
       }
      }
     },
     "404": {
      "description": "Error",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Error"
        }
       }
      }
     }
    },
    "parameters": [
     {
      "name": "topic",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string"
      },
      "description": "user_events, transactions, sensor_data, log_events or bulk_upload (Kafka topic names for the /api/kafka paths)"
     },
     {
      "name": "partition",
      "in": "query",
      "schema": {
       "type": "integer"
      }
     },
     {
      "name": "offset",
      "in": "query",
      "schema": {
       "type": "integer"
      },
      "description": "first offset; default: the newest `limit` per partition"
     },
     {
      "name": "time",
      "in": "query",
      "schema": {
       "type": "string"
      },
      "description": "start at the first message at or after this time (offsets-for-times): ISO 8601 (2026-11-26T10:00:00Z), yyyy-MM-ddTHH:mm[:ss] read as UTC, or epoch milliseconds; `offset` wins"
     },
     {
      "name": "key",
      "in": "query",
      "schema": {
       "type": "string"
      },
      "description": "key contains (case-insensitive)"
     },
     {
      "name": "limit",
      "in": "query",
      "schema": {
       "type": "integer",
       "maximum": 500,
       "default": 50
      }
     }
    ]
   }
  },
  "/api/kafka/groups": {
   "get": {
    "summary": "Consumer groups with per-partition lag",
    "tags": [
     "kafka"
    ],
    "responses": {
     "200": {
      "description": "Groups",
      "content": {
       "application/json": {
        "schema": {
         "type": "array",
         "items": {
          "$ref": "#/components/schemas/Group"
         }
        }
       }
      }
     }
    }
   }
  },
  "/api/alerts": {
   "get": {
    "summary": "The alert rules (deploy/prometheus/alerts.yml) evaluated in-process over this process's metrics: state inactive, pending or firing, with the current values",
    "tags": [
     "monitoring"
    ],
    "responses": {
     "200": {
      "description": "Alert states",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "evaluatedAt": {"type": "number", "description": "Unix time of the evaluation"},
          "alerts": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "name": {"type": "string"},
             "severity": {"type": "string", "enum": ["warning", "critical"]},
             "summary": {"type": "string"},
             "expression": {"type": "string", "description": "The PromQL expression"},
             "threshold": {"type": "number"},
             "forSeconds": {"type": "number"},
             "state": {"type": "string", "enum": ["inactive", "pending", "firing"]},
             "values": {
              "type": "array",
              "items": {
               "type": "object",
               "properties": {
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "value": {"type": "number"},
                "state": {"type": "string", "enum": ["inactive", "pending", "firing"]},
                "activeSince": {"type": "number"},
                "summary": {"type": "string"}
               }
              }
             }
            }
           }
          }
         }
        }
       }
      }
     },
     "404": {
      "description": "Monitoring is not enabled in this process"
     }
    }
   }
  },
  "/metrics": {
   "get": {
    "summary": "Prometheus metrics (text exposition format 0.0.4); the names are listed by `tributary monitoring metrics`",
    "tags": [
     "monitoring"
    ],
    "responses": {
     "200": {
      "description": "Metrics",
      "content": {
       "text/plain": {}
      }
     }
    }
   }
  },
  "/healthz": {
   "get": {
    "summary": "Liveness: the process is up (no login needed)",
    "tags": [
     "monitoring"
    ],
    "security": [],
    "responses": {
     "200": {
      "description": "Up",
      "content": {
       "application/json": {}
      }
     }
    }
   }
  },
  "/readyz": {
   "get": {
    "summary": "Readiness: broker reachable, storage writable, processor assigned (no login needed); 503 when a check fails",
    "tags": [
     "monitoring"
    ],
    "security": [],
    "responses": {
     "200": {
      "description": "Ready",
      "content": {
       "application/json": {
        "schema": {
         "type": "object",
         "properties": {
          "ready": {"type": "boolean"},
          "checks": {
           "type": "array",
           "items": {
            "type": "object",
            "properties": {
             "name": {"type": "string"},
             "ok": {"type": "boolean"},
             "detail": {"type": "string"}
            }
           }
          }
         }
        }
       }
      }
     },
     "503": {
      "description": "Not ready: the same body, with the failing checks"
     }
    }
   }
  },
  "/api/openapi.json": {
   "get": {
    "summary": "This document",
    "tags": [
     "meta"
    ],
    "responses": {
     "200": {
      "description": "OK",
      "content": {
       "application/json": {}
      }
     }
    }
   }
  }
 }
}
"""#
}
