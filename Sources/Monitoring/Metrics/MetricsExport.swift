import CoreMetrics
import MonitoringCore
import Prometheus

/// The process's metrics backend: swift-metrics bootstrapped once with a Prometheus
/// registry, and its text exposition for `/metrics`.
public enum MetricsExport {
    /// The registry every swift-metrics call of this process records into.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Bool = {
        MetricsSystem.bootstrap(CatalogMetricsFactory(registry: registry))
        return true
    }()

    /// Installs the Prometheus backend (idempotent; the first call wins). Before it every
    /// metric is a no-op, which is what library tests get.
    public static func bootstrap() {
        _ = bootstrapped
    }

    /// The Prometheus text exposition format (version 0.0.4) of every metric.
    public static func render() -> String {
        registry.emitToString()
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Prometheus's factory, plus the catalog: Tributary's metrics get their help text and
/// histogram buckets from `TributaryMetrics`; other names pass through unchanged.
struct CatalogMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let base: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var base = PrometheusMetricsFactory(registry: registry)
        for d in TributaryMetrics.all where d.kind == .histogram {
            base.durationHistogramBuckets[d.name] = d.buckets.map { Duration.nanoseconds(Int64($0 * 1e9)) }
            base.valueHistogramBuckets[d.name] = d.buckets
        }
        self.base = base
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor? {
        TributaryMetrics.descriptor(named: label).map { MetricNameDescriptor(metricName: $0.name, unitName: "", helpText: $0.help) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let d = descriptor(label) else { return base.makeCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: d, labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let d = descriptor(label) else { return base.makeFloatingPointCounter(label: label, dimensions: dimensions) }
        return registry.makeCounter(descriptor: d, labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let d = descriptor(label) else { return base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate) }
        if aggregate {
            return registry.makeValueHistogram(descriptor: d, labels: dimensions,
                                               buckets: base.valueHistogramBuckets[label] ?? base.defaultValueHistogramBuckets)
        }
        return registry.makeGauge(descriptor: d, labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let d = descriptor(label) else { return base.makeMeter(label: label, dimensions: dimensions) }
        return registry.makeGauge(descriptor: d, labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let d = descriptor(label) else { return base.makeTimer(label: label, dimensions: dimensions) }
        return registry.makeDurationHistogram(
            descriptor: d, labels: dimensions,
            buckets: base.durationHistogramBuckets[label] ?? base.defaultDurationHistogramBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { base.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
