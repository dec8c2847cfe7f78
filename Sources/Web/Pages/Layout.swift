/// The page frame: navigation, styles and scripts served by the app itself (no CDN).
enum Layout {
    static let sections: [(path: String, title: String)] = [
        ("/ingest", "Ingest"), ("/upload", "Bulk upload"), ("/generator", "Generator"),
        ("/kafka", "Kafka topics"), ("/kafka/groups", "Consumer groups"), ("/lake", "Lake"), ("/sql", "SQL"),
        ("/dashboard", "Dashboard"), ("/api/openapi.json", "API"),
    ]

    /// - Parameter scripts: the page's own scripts besides `app.js` (assets names, e.g. `sql.js`).
    static func page(title: String, csrf: String, active: String = "", loggedIn: Bool = false, scripts: [String] = [],
                     body: HTML) -> HTML {
        let extra = scripts.map { name -> HTML in "<script src=\"/assets/\(name)\"></script>" }
        let nav = sections.map { section -> HTML in
            let current = active == section.path
            return """
                <li class="nav-item"><a class="nav-link\(HTML(trusted: current ? " active" : ""))"\(HTML(trusted: current ? " aria-current=\"page\"" : "")) href="\(section.path)">\(section.title)</a></li>
                """
        }
        let logout: HTML = loggedIn ? """
            <form method="post" action="/logout" class="d-flex"><input type="hidden" name="csrf_token" value="\(csrf)"><button class="btn btn-sm btn-outline-light" type="submit">Log out</button></form>
            """ : ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="\(csrf)">
            <meta name="referrer" content="same-origin">
            <link rel="icon" href="data:,">
            <title>\(title) · Tributary</title>
            <link rel="stylesheet" href="/assets/bootstrap.min.css">
            <link rel="stylesheet" href="/assets/app.css">
            </head>
            <body>
            <a class="visually-hidden-focusable" href="#main">Skip to content</a>
            <nav class="navbar navbar-expand-md navbar-dark bg-dark mb-3" aria-label="Main">
            <div class="container-fluid">
            <a class="navbar-brand" href="/">Tributary</a>
            <ul class="navbar-nav me-auto flex-row flex-wrap column-gap-3">\(nav)</ul>
            \(logout)
            </div>
            </nav>
            <main id="main" class="container-lg mb-5">
            <h1 class="h3 mb-3">\(title)</h1>
            \(body)
            </main>
            <script src="/assets/app.js"></script>\(extra)
            </body>
            </html>
            """
    }
}
