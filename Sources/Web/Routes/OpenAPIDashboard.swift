/// OpenAPI paths of the dashboard endpoints (merged into `OpenAPI.document`).
enum OpenAPIDashboard {
    static let fragment = #"{"paths": {}}"#
}
