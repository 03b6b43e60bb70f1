"""The views web/ keeps: the home page, the health probe and the plotly asset (the pages of a subject are
in its app: customers, integrations, accounts …). Each parses the request, asks the scoped read helpers
(receivables.queries), and renders; none filters by portfolio itself."""
