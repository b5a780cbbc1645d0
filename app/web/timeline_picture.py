"""The geometry of a timeline drawn as inline SVG: events on a linear date axis (year or month ticks: nothing there
needs a plotting library), as bars from first to last day or dots, hollow when the date is inferred. Templates only
render what these functions return (app/web/templates/pictures.html)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.web.model import Timeline
from app.web.pictures import OTHER_COLOUR, Swatch, shorten

TIMELINE_WIDTH = 860
"""Width of a timeline's drawing (SVG user units)."""
ROW_HEIGHT = 24
"""Height of one row of items."""
LABELLED_ITEMS = 16
"""Up to this many items, each has its own row with its name beside it; more are packed into rows, named in their
tooltips and in the table."""
LABEL_CHARS = 76
"""Longest label written beside an item (longer ones end in …; the tooltip has the whole): a label goes on the side
with more room, at least half the picture's width, which holds about 80 characters."""
KIND_COLOURS = {"Meeting": "#18794e", "Visit": "#1f5fa8", "Event": "#6b3fa0"}
"""Timeline markers by event class: distinct hues, each 4.5:1 or more against white."""
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PlacedItem:
    iri: str
    title: str
    short: str
    colour: str
    x: float
    y: float
    width: float
    """0 for a one-day item (a dot); the bar's length otherwise."""
    inferred: bool
    label_x: float
    anchor: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class TimelinePicture:
    width: int
    height: int
    axis_y: float
    items: tuple[PlacedItem, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[Swatch, ...]


def readable_day(iso: str | None) -> str:
    """'2025-10-29' → '29 Oct 2025'; '--10-29' → '29 Oct'; anything else as it is."""
    if not iso:
        return ""
    try:
        if iso.startswith("--"):
            month, day = int(iso[2:4]), int(iso[5:7])
            return f"{day} {MONTH_NAMES[month - 1]}"
        moment = date.fromisoformat(iso[:10])
    except (ValueError, IndexError):
        return iso
    return f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"


def readable_span(start: str, end: str | None) -> str:
    """'2025-10-29', '2025-10-30' → '29–30 Oct 2025'; the same day once; across months or years in full."""
    first, last = _day(start), _day(end)
    if first is None or last is None or last <= first:
        return readable_day(start)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {MONTH_NAMES[first.month - 1]} {first.year}"
    if first.year == last.year:
        return f"{first.day} {MONTH_NAMES[first.month - 1]} – {readable_day(end)}"
    return f"{readable_day(start)} – {readable_day(end)}"


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _ticks(first: date, last: date, scale: Callable[[date], float]) -> list[Tick]:
    """Year ticks for spans over three years (every n years, at most ten), else month ticks (at most twelve)."""
    if (last - first).days > 3 * 365:
        step = max(1, math.ceil((last.year - first.year + 1) / 10))
        years = range(first.year + 1, last.year + 1, step)
        return [Tick(scale(date(y, 1, 1)), str(y)) for y in years]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = max(1, math.ceil(months / 12))
    ticks = []
    for n in range(0, months + 1, step):
        y, m = divmod(first.month - 1 + n, 12)
        moment = date(first.year + y, m + 1, 1)
        if first <= moment <= last:
            ticks.append(Tick(scale(moment), f"{MONTH_NAMES[m]} {moment.year}" if m == 0 or not ticks
                              else MONTH_NAMES[m]))
    return ticks


def timeline_picture(timeline: Timeline) -> TimelinePicture | None:
    """Items on a date axis: bars from first to last day (dots for one day), hollow when the date is inferred."""
    dated = [(i, _day(i.start), _day(i.end) or _day(i.start)) for i in timeline.items if _day(i.start)]
    if not dated:
        return None
    first = min(s for _, s, _ in dated)
    last = max(e for _, _, e in dated if e)
    pad = timedelta(days=max(10, (last - first).days // 20))
    first, last = first - pad, last + pad
    left, right = 24, TIMELINE_WIDTH - 24
    span = (last - first).days or 1

    def scale(moment: date) -> float:
        return round(left + (moment - first).days / span * (right - left), 1)

    labelled = len(dated) <= LABELLED_ITEMS
    ends: list[float] = []  # where each packed row is free from
    placed = []
    for item, start, end in dated:
        x = scale(start)
        width = max(0.0, scale(end) - x) if end else 0.0  # type: ignore[arg-type]
        width = width if width >= 6 else 0.0
        if labelled:
            row = len(placed)
        else:
            row = next((r for r, free in enumerate(ends) if free < x - 8), len(ends))
            if row == len(ends):
                ends.append(0.0)
            ends[row] = x + width
        kind = item.kind.value.rsplit("#", 1)[-1] if item.kind else ""
        right_side = x < TIMELINE_WIDTH * 0.5
        dates = readable_span(item.start, item.end)
        placed.append(PlacedItem(
            item.node.value, f"{item.node.label} ({item.kind.label if item.kind else 'event'}, {dates}, date "
                             f"{item.date_status})", shorten(item.node.label, LABEL_CHARS) if labelled else "",
            KIND_COLOURS.get(kind, OTHER_COLOUR), x, 40 + row * ROW_HEIGHT, round(width, 1),
            item.date_status == "inferred", round(x + width + 10 if right_side else x - 10, 1),
            "start" if right_side else "end"))
    rows = len(placed) if labelled else len(ends)
    kinds: dict[str, str] = {}
    for item, _, _ in dated:
        if item.kind:
            kinds[item.kind.label] = KIND_COLOURS.get(item.kind.value.rsplit("#", 1)[-1], OTHER_COLOUR)
    legend = tuple(Swatch(k, c) for k, c in sorted(kinds.items()))
    return TimelinePicture(TIMELINE_WIDTH, 40 + rows * ROW_HEIGHT + 8, 22, tuple(placed),
                           tuple(_ticks(first, last, scale)), legend)
