"""Obligation builders: the facts each duty's decision table judges, one module per record family.

One builder per kind of subject. Each reads its records with SQL joins (no
per-row round trips), keeps only records that exist as of the date, and yields
one `monitor.facts.Obligation` per (duty, subject) with precomputed facts: the record values a
table tests (the appealed decision's type and date, an appeal's status, an
outcome) and day counts (`days_left`, `days_after_due`) counted by
`monitor.dates`. A fact whose value is unknown (a blank field) is left out, so
no row that tests it can match. Each builder registers its facts (name, type,
meaning) in `monitor.facts.FACTS`; the tables decide (scope, closures, when reasons are
required, the funding cap), the builders only describe.

The evidence behind an obligation (the records used, how its deadline was
counted) is built only when asked for (`evidence=True`: explanations).

Importing this package registers every builder in `monitor.facts`: decisions and areas,
appeals and evidence, recommendations and responses, funding, documents (in that order).
"""

# registered in the order docs/duties.md lists them
# isort: off
from monitor.obligations import decisions, appeals, recommendations, funding, documents
# isort: on

__all__ = ["decisions", "appeals", "recommendations", "funding", "documents"]
