/// A CSV cell as `parquet cat` and `tables read` print it: RFC 4180 quoting only when needed.
func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

/// A CSV line (without its newline) of `cells`, each quoted by `csvField`.
func csvLine(_ cells: [String]) -> String {
    cells.map(csvField).joined(separator: ",")
}
