"""Pictures of query answers that need no layout library: a bar chart of a table that pairs names with counts, and
a timeline of a table with a date column (drawn by the /timeline renderer, app/web/timeline_picture.py). The
template draws them as inline SVG beside the table they picture (the table stays the accessible version)."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.model import Node, Timeline, TimelineItem
from app.web.sparql.result_view import ResultView

NUMERIC = {"xsd:integer", "xsd:decimal", "xsd:double", "xsd:float", "xsd:int", "xsd:long",
           "xsd:nonNegativeInteger", "xsd:positiveInteger"}
"""Datatypes (as result cells name them) a bar's length can be read from."""
MAX_BARS = 50
"""A chart stops at this many bars; the table shows every row."""
DATES = {"xsd:date", "xsd:dateTime", "xsd:gYear"}
"""Datatypes (as result cells name them) a timeline can place."""
MAX_DATED = 200
"""A timeline of an answer stops at this many rows; the table shows every row."""
ANSWER_DATE = "as the answer gives it"
"""What a question's timeline says of each date (the answer, not a claim, is where the picture read it)."""


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


def dated_rows(view: ResultView) -> Timeline | None:
    """A timeline of a table with a date column (`xsd:date`, `xsd:dateTime` or `xsd:gYear` cells): one item per
    row whose first such column has a date, ending at the row's date in the next such column, if any (a year spans
    its year). Each item links to the row's first IRI and is named by its first plain text, else by its other IRIs
    (a claim's row by what it states), else by that IRI. None for any other answer."""
    if view.kind != "table":
        return None
    dated = [i for i in range(len(view.columns)) if any(r[i] is not None and r[i].datatype in DATES for r in view.rows)]
    if not dated:
        return None
    items = []
    for row in view.rows:
        first = _day(row[dated[0]], first=True)
        if first is None:
            continue
        end = _day(row[dated[1]] if len(dated) > 1 else row[dated[0]], first=False)
        iris = [c for c in row if c is not None and c.is_iri]
        text = next((c for c in row if c is not None and c.is_literal and c.datatype is None), None)
        label = text.label if text else " · ".join(c.label for c in iris[1:]) or (iris[0].label if iris else first)
        items.append(TimelineItem(Node(iris[0].value if iris else "", label), None, first, end, ANSWER_DATE))
        if len(items) == MAX_DATED:
            break
    return Timeline(tuple(items), len(items)) if items else None


def _day(cell: Node | None, first: bool) -> str | None:
    """A date cell as an ISO day: a year is its first (or last) day; None for no date."""
    if cell is None or cell.datatype not in DATES:
        return None
    if cell.datatype == "xsd:gYear":
        return f"{cell.value[:4]}-01-01" if first else f"{cell.value[:4]}-12-31"
    return cell.value[:10]
