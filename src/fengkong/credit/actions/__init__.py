"""The state changes of the credit app, one function each (an action), a module per concern:
assessments, limits (proposals and votes), policies, checks (credit checks on sales orders), feedback,
flags and guarantees (the industry outlooks and alarms are fengkong.industry's).

Every action takes a keyword-only `actor`, checks that actor's permission itself, and runs in one
transaction with its audit event and its inbox messages (a rolled-back change tells nobody); background
work it causes (a re-assessment) is queued by name for after the commit (core.later). Where the system
acts (the review, the night), the docstring says so and `actor` is None or only recorded.
Import the modules themselves (`from fengkong.credit.actions import limits`): this package re-exports
nothing, so it never stands in an import circle.
"""
