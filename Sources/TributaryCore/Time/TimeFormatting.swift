/// Text forms of dates, timestamps and times, shared by every module that prints them.
private func pad(_ v: Int64, _ width: Int) -> String {
    let s = String(v.magnitude)
    return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
public func formatDate(_ days: Int64) -> String {
    let (y, m, d) = CivilDate.date(days: days)
    return "\(pad(y, 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))"
}

private func digits(_ unit: TimeUnit) -> Int {
    switch unit { case .millis: 3; case .micros: 6; case .nanos: 9 }
}

/// ISO-8601 text of an epoch time in `unit` (`Z` suffix when UTC), every fraction digit kept.
public func formatTimestamp(_ v: Int64, unit: TimeUnit, utc: Bool) -> String {
    let per = unit.perSecond
    var secs = v / per
    var frac = v % per
    if frac < 0 { frac += per; secs -= 1 }
    var days = secs / 86_400
    var sod = secs % 86_400
    if sod < 0 { sod += 86_400; days -= 1 }
    return "\(formatDate(days))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(frac, digits(unit)))\(utc ? "Z" : "")"
}

/// `HH:MM:SS.fraction` of a time of day in `unit`.
public func formatTime(_ v: Int64, unit: TimeUnit) -> String {
    let per = unit.perSecond
    let secs = v / per, frac = v % per
    return "\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2)).\(pad(frac, digits(unit)))"
}
