"""Pictures of query answers that need no layout library: a bar chart of a table that pairs names with counts.
The template draws it as inline SVG beside the table it pictures (the table stays the accessible version)."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.sparql.result_view import ResultView

NUMERIC = {"xsd:integer", "xsd:decimal", "xsd:double", "xsd:float", "xsd:int", "xsd:long",
           "xsd:nonNegativeInteger", "xsd:positiveInteger"}
"""Datatypes (as result cells name them) a bar's length can be read from."""
MAX_BARS = 50
"""A chart stops at this many bars; the table shows every row."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    """The value as the answer wrote it."""
    share: float
    """The value over the largest value, from 0 to 1: the bar's length."""


def bar_chart(view: ResultView) -> tuple[Bar, ...]:
    """Bars for a table whose last numeric column counts what its first other column names (e.g. claims per
    status); no bars for any other answer."""
    if view.kind != "table" or not view.rows:
        return ()
    numeric = [i for i in range(len(view.columns))
               if all(row[i] is not None and row[i].datatype in NUMERIC for row in view.rows)]  # type: ignore[union-attr]
    labels = [i for i in range(len(view.columns)) if i not in numeric]
    if not numeric or not labels:
        return ()
    value_at, label_at = numeric[-1], labels[0]
    pairs = [(row[label_at].label if row[label_at] else "", float(row[value_at].value), row[value_at].value)  # type: ignore[union-attr]
             for row in view.rows[:MAX_BARS]]
    top = max((v for _, v, _ in pairs), default=0) or 1
    return tuple(Bar(label, value, shown, max(value, 0) / top) for label, value, shown in pairs)
