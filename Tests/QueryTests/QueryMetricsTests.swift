import Testing
@testable import Query

/// `tributary_queries_total{status}`: how query outcomes are labelled.
@Test func queryOutcomesAreLabelled() {
    #expect(QueryMetrics.status(nil) == "ok")
    #expect(QueryMetrics.status(QueryError.refused("COPY")) == "rejected")
    #expect(QueryMetrics.status(QueryError.invalidOptions("asOf")) == "rejected")
    #expect(QueryMetrics.status(QueryError.timeout(.seconds(1))) == "timeout")
    #expect(QueryMetrics.status(QueryError.duckdb("Binder Error")) == "error")
    #expect(QueryMetrics.status(CancellationError()) == "error")
}
