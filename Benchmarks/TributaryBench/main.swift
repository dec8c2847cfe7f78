import Foundation
import Logging
import TributaryCore

// `tributary-bench AREA [options]`: one benchmark area per file (KafkaBench.swift, ...).
// Each prints a table of ours vs the peer (run in the same process or script) and ratios.
// Run through `make bench` (release build).

let areas: [String: ([String]) async throws -> Void] = [
    "kafka": KafkaBench.run,
    "parquet": ParquetBench.run,
    "parquet-nested": NestedParquetBench.run,
    "objectstore": ObjectStoreBench.run,
    "hudi": HudiBench.run,
    "query": QueryBench.run,
    "pipeline": PipelineBench.run,
    "freshness": FreshnessBench.run,
    "decode": DecodeBench.run,
    "scale": ScaleBench.run,
    // The pipeline area's contestants, run as children of it.
    "pipeline-ours": PipelineChildren.ours,
    "pipeline-raw": PipelineChildren.rawConsume,
    // The scale area's group members.
    "scale-member": ScaleBench.member,
]

// BENCH_LOG_LEVEL=debug shows the processor's per-batch and per-commit timings.
if let level = ProcessInfo.processInfo.environment["BENCH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
}

// As the `tributary` executable does at startup, so ours is measured as it runs.
MallocArenas.limitForBatchWork()

let args = Array(CommandLine.arguments.dropFirst())
guard let area = args.first, let run = areas[area] else {
    print("usage: tributary-bench <\(areas.keys.sorted().joined(separator: "|"))> [options]")
    exit(2)
}
try await run(Array(args.dropFirst()))
