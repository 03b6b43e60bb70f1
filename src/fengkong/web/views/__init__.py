"""Views of the web UI. Each parses the request, asks the scoped read helpers (web.book) or an action,
and renders; none filters by portfolio itself."""
