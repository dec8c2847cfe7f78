import Hummingbird

/// The lake pages (`/lake`, `/lake/{name}`) and the SQL workbench (`/sql`).
struct LakeRoutes {
    let deps: WebDependencies

    func register(on router: Router<WebRequestContext>) {
        let loggedIn = deps.config.loginRequired
        router.get("/lake") { _, context -> HTML in
            guard let lake = deps.lake else { return LakePages.noLake(csrf: context.csrfToken, loggedIn: loggedIn) }
            return LakePages.tables(try await lake.summaries(), csrf: context.csrfToken, loggedIn: loggedIn)
        }
        router.get("/lake/{name}") { _, context -> Response in
            guard let lake = deps.lake else { return LakePages.noLake(csrf: context.csrfToken, loggedIn: loggedIn).response(status: .ok) }
            guard let name = context.parameters.get("name"), let summary = try await lake.summary(name),
                  let timeline = try await lake.timeline(name) else { return notFoundPage(context) }
            return LakePages.table(summary, timeline: timeline, csrf: context.csrfToken, loggedIn: loggedIn).response(status: .ok)
        }
        router.get("/sql") { request, context -> HTML in
            let q = request.uri.queryParameters
            func text(_ name: String) -> String { q.get(name) ?? "" }
            var initial = SQLPage.Initial()
            initial.sql = text("sql")
            initial.asOf = text("as_of")
            initial.since = text("since")
            initial.until = text("until")
            initial.withMeta = !text("with_meta").isEmpty
            initial.limit = Int(text("limit")).map { max(1, $0) } ?? 1000
            initial.run = !initial.sql.isEmpty
            var tables: [String] = []
            var commits: [SQLPage.CommitChoice] = []
            if let lake = deps.lake {
                tables = try await lake.tableNames()
                for table in tables {
                    for commit in try await lake.timeline(table, limit: 50) ?? [] where commit.state == "completed" {
                        commits.append(SQLPage.CommitChoice(table: table, commit: commit))
                    }
                }
                commits.sort { $0.commit.instant > $1.commit.instant }
            }
            return SQLPage.page(initial: initial, tables: tables, commits: commits, csrf: context.csrfToken, loggedIn: loggedIn)
        }
    }
}
