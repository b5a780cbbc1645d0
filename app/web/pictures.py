"""The geometry of the relation graph pages draw as inline SVG (timelines: timeline_picture.py). Templates only render
what these functions return (app/web/templates/pictures.html).

The relation graph's layout is igraph's Fruchterman–Reingold force layout, made for small graphs of this kind: with
the entity fixed in the middle, neighbours that link to each other are drawn together. igraph computes it in C (the
network's 70 nodes: 2 ms, where networkx's spring layout took 55 ms of a 160 ms page). It starts from fixed
positions (a ring, or a seeded scatter), so the same release draws the same page.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import igraph

from app.web.model import Network, RelationGraph

LAYOUT_SEED = 7
"""Seed of the network's starting positions: the same graph is always drawn the same way."""
LAYOUT_ITERATIONS = 500
"""Steps of the force layout (igraph's default)."""
UNBOUNDED = 1e9
"""A coordinate bound no layout reaches (igraph bounds every node or none)."""
_draws = random.Random()
"""igraph's random numbers (its layout jitters nodes a little), reseeded for each layout so that the same graph is
drawn the same way in every process and thread; igraph would otherwise draw from the `random` module's shared state
in the thread that imported it and from a generator of its own in any other (its generator is per thread)."""
_drawing = threading.Lock()


def force_layout(nodes: list[str], links: Iterable[tuple[str, str]], start: Mapping[str, tuple[float, float]],
                 fixed: str | None = None) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold positions of `nodes` (links undirected, once per pair) from the `start` positions, with
    `fixed` (if given) held where it starts."""
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in links if a != b})
    bounds: dict[str, list[float]] = {}
    if fixed is not None:
        x, y = start[fixed]
        for name, value, default in (("minx", x, -UNBOUNDED), ("maxx", x, UNBOUNDED), ("miny", y, -UNBOUNDED),
                                     ("maxy", y, UNBOUNDED)):
            bounds[name] = [value if n == fixed else default for n in nodes]
    graph = igraph.Graph(n=len(nodes), edges=pairs)
    with _drawing:  # set for this thread, reseeded for this layout
        igraph.set_random_number_generator(_draws)
        _draws.seed(LAYOUT_SEED)
        layout = graph.layout_fruchterman_reingold(niter=LAYOUT_ITERATIONS, seed=[list(start[n]) for n in nodes],
                                                   grid=False, **bounds)
    return {n: (float(layout[i][0]), float(layout[i][1])) for n, i in index.items()}


def ring(nodes: list[str], radius: float) -> dict[str, tuple[float, float]]:
    """`nodes` evenly on a circle around (0, 0), the first to the right."""
    step = 2 * math.pi / max(1, len(nodes))
    return {n: (radius * math.cos(i * step), radius * math.sin(i * step)) for i, n in enumerate(nodes)}


def scatter(nodes: list[str], size: float) -> dict[str, tuple[float, float]]:
    """`nodes` at seeded random places in a square of side `size` around (0, 0)."""
    draw = random.Random(LAYOUT_SEED)
    return {n: (size * (draw.random() - 0.5), size * (draw.random() - 0.5)) for n in nodes}
GRAPH_SIZE = (860, 540)
"""Width and height of a relation graph's drawing (SVG user units; it scales to the page)."""
LABEL_CHARS = 28
"""Longest label drawn beside a node or an item; the whole name is in its tooltip and in the table."""
CLASS_COLOURS: dict[str, str] = {
    "Country": "#1f5fa8", "City": "#1f5fa8", "Place": "#1f5fa8",
    "Firm": "#b35900", "FirmGroup": "#b35900", "Organisation": "#b35900", "IndustryAssociation": "#b35900",
    "GovernmentBody": "#b35900",
    "Delegation": "#a8327a", "Person": "#a8327a", "Post": "#a8327a",
    "Meeting": "#18794e", "Visit": "#18794e", "Event": "#18794e",
    "Programme": "#c0262d", "Objective": "#c0262d",
    "WeaponSystem": "#5b4fc4", "EquipmentType": "#5b4fc4", "Sector": "#5b4fc4",
    "QuantitativeFact": "#6b6b00", "Ranking": "#6b6b00",
    "Source": "#4b5563", "Claim": "#4b5563",
}
"""Fill of a node by its DefCoop class (local name): one hue per family (places, organisations, people,
events, programmes, things, figures, sources), each dark enough for 4.5:1 against white."""
OTHER_COLOUR = "#6b7280"
EDGE_LABELS = 16
"""With more links to the centre than this, each property is written on one of them only (the others have it in
their tooltip and in the table), so a hub's picture is not a wall of the same words."""
EDGE_LABEL_AT = 0.62
"""Where along a link to the centre its label sits, from the centre (links fan out, so labels spread there)."""


@dataclass(frozen=True)
class PlacedNode:
    iri: str
    label: str
    short: str
    kind: str
    colour: str
    x: float
    y: float
    r: float
    centre: bool
    label_x: float
    label_y: float
    anchor: str
    """`start`, `middle` or `end`: labels sit on the side away from the centre, clear of the links to it."""


@dataclass(frozen=True)
class PlacedEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    title: str
    label_x: float
    label_y: float
    inferred: bool
    centre: bool


@dataclass(frozen=True)
class Swatch:
    label: str
    colour: str


@dataclass(frozen=True)
class GraphPicture:
    width: int
    height: int
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    legend: tuple[Swatch, ...]


def shorten(text: str, chars: int = LABEL_CHARS) -> str:
    """`text`, cut at a word to at most `chars` characters with an ellipsis."""
    if len(text) <= chars:
        return text
    cut = text[: chars - 1].rsplit(" ", 1)[0] or text[: chars - 1]
    return cut.rstrip(" ,;:–-") + "…"


def colour_of(kind_iri: str | None) -> str:
    name = kind_iri.rsplit("#", 1)[-1] if kind_iri else ""
    return CLASS_COLOURS.get(name, OTHER_COLOUR)


def relation_picture(graph: RelationGraph) -> GraphPicture:
    """Positions of the entity (in the middle), its neighbours and their links."""
    width, height = GRAPH_SIZE
    centre = graph.centre.node.value
    around = sorted(n.node.value for n in graph.neighbours)
    start = {centre: (0.0, 0.0), **ring(around, math.sqrt(len(around) + 1))}
    pos = force_layout([centre, *around], ((e.source.value, e.target.value) for e in graph.edges), start, centre)
    reach = max((max(abs(float(x)), abs(float(y))) for x, y in pos.values()), default=1.0) or 1.0
    margin_x, margin_y = 185, 40  # room for a label beside the outermost nodes

    def place(iri: str) -> tuple[float, float]:
        x, y = pos[iri]
        return (round(width / 2 + float(x) / reach * (width / 2 - margin_x), 1),
                round(height / 2 + float(y) / reach * (height / 2 - margin_y), 1))

    nodes = []
    radius: dict[str, float] = {}
    taken: list[tuple[float, float, float, float]] = []  # label boxes placed so far
    for n in (graph.centre, *graph.neighbours):  # the centre's label first: it never moves
        is_centre = n.node.value == centre
        x, y = place(n.node.value)
        r = 13.0 if is_centre else 8.0
        radius[n.node.value] = r
        short = shorten(n.node.label, 44 if is_centre else LABEL_CHARS)
        label_x, label_y, anchor = _label_spot(x, y, r, short, x - width / 2, y - height / 2, is_centre, taken,
                                               (width, height))
        kind = n.kind.label if n.kind else ""
        nodes.append(PlacedNode(n.node.value, n.node.label, short, kind, colour_of(n.kind.value if n.kind else None),
                                x, y, r, is_centre, round(label_x, 1), round(label_y, 1), anchor))
    nodes.append(nodes.pop(0))  # the centre drawn last, on top
    edges = []
    crowded = sum(1 for e in graph.edges if centre in (e.source.value, e.target.value)) > EDGE_LABELS
    written: set[str] = set()
    for e in graph.edges:
        source, target = e.source.value, e.target.value
        (x1, y1), (x2, y2) = place(source), place(target)
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        names = ", ".join(p.label for p in e.properties)
        touches = centre in (source, target)
        label = shorten(names, 24) if touches and not (crowded and names in written) else ""
        if touches:
            written.add(names)
        edges.append(PlacedEdge(
            round(x1 + ux * radius[source], 1), round(y1 + uy * radius[source], 1),
            round(x2 - ux * (radius[target] + 3), 1), round(y2 - uy * (radius[target] + 3), 1),
            label,
            f"{e.source.label} — {names}{' (inferred)' if e.inferred else ''} → {e.target.label}",
            *_edge_label_spot(x1, y1, x2, y2, source == centre, label, taken), e.inferred, touches))
    return GraphPicture(width, height, tuple(nodes), tuple(edges), legend(nodes))


NETWORK_SIZE = (960, 640)
"""The cooperation network's drawing (/graph), in SVG units."""


def network_picture(network: Network) -> GraphPicture | None:
    """Positions of the network's nodes (a spring layout of all of them, none fixed; events drawn larger) and of
    its links (unlabelled: each names its properties in its tooltip and in the table)."""
    if not network.nodes:
        return None
    width, height = NETWORK_SIZE
    events = {i.node.value for i in network.timeline.items}
    drawn = sorted(n.node.value for n in network.nodes)
    pos = force_layout(drawn, ((e.source.value, e.target.value) for e in network.edges),
                       scatter(drawn, 2 * math.sqrt(len(drawn))))
    margin_x, margin_y = 150, 30
    xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
    low_x, span_x = min(xs), (max(xs) - min(xs)) or 1.0
    low_y, span_y = min(ys), (max(ys) - min(ys)) or 1.0

    def place(iri: str) -> tuple[float, float]:  # the layout's bounding box fills the drawing
        x, y = pos[iri]
        return (round(margin_x + (x - low_x) / span_x * (width - 2 * margin_x), 1),
                round(margin_y + (y - low_y) / span_y * (height - 2 * margin_y), 1))

    nodes, radius, taken = [], {}, []
    for n in sorted(network.nodes, key=lambda n: (n.node.value not in events, -n.degree, n.node.value)):
        x, y = place(n.node.value)
        r = 9.0 if n.node.value in events else 6.0
        radius[n.node.value] = r
        short = shorten(n.node.label, 30)
        label_x, label_y, anchor = _label_spot(x, y, r, short, x - width / 2, y - height / 2, False, taken,
                                               (width, height))
        nodes.append(PlacedNode(n.node.value, n.node.label, short, n.kind.label if n.kind else "",
                                colour_of(n.kind.value if n.kind else None), x, y, r, False,
                                round(label_x, 1), round(label_y, 1), anchor))
    edges = []
    for e in network.edges:
        (x1, y1), (x2, y2) = place(e.source.value), place(e.target.value)
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        names = ", ".join(p.label for p in e.properties)
        edges.append(PlacedEdge(
            round(x1 + ux * radius[e.source.value], 1), round(y1 + uy * radius[e.source.value], 1),
            round(x2 - ux * (radius[e.target.value] + 3), 1), round(y2 - uy * (radius[e.target.value] + 3), 1),
            "", f"{e.source.label} — {names}{' (inferred)' if e.inferred else ''} → {e.target.label}",
            0.0, 0.0, e.inferred, False))
    return GraphPicture(width, height, tuple(nodes), tuple(edges), legend(nodes))


CHAR_WIDTH = 6.6
"""About how wide one character of a 12px label is, to keep labels from overlapping."""


def _label_spot(x: float, y: float, r: float, text: str, dx: float, dy: float, centre: bool,
                taken: list[tuple[float, float, float, float]], size: tuple[float, float]
                ) -> tuple[float, float, str]:
    """Where a node's label goes: on the side away from the centre (clear of the links to it), or the first other
    side that does not overlap a label already placed, keeping inside the drawing of `size` where a side fits; the
    chosen box is added to `taken`."""
    width = len(text) * CHAR_WIDTH * (1.25 if centre else 1.0)  # the centre's label is bold and larger
    below = (x, y + r + 14, "middle")
    above = (x, y - r - 6, "middle")
    right = (x + r + 4, y + 4, "start")
    left = (x - r - 4, y + 4, "end")
    if centre or abs(dx) < abs(dy) * 0.5:
        order = [below, above, right, left] if centre or dy >= 0 else [above, below, right, left]
    else:
        order = [right, above, below, left] if dx > 0 else [left, above, below, right]

    def box(spot: tuple[float, float, str]) -> tuple[float, float, float, float]:
        lx, ly, anchor = spot
        start = lx - width / 2 if anchor == "middle" else lx if anchor == "start" else lx - width
        return (start, ly - 11, start + width, ly + 3)

    def clear(b: tuple[float, float, float, float]) -> bool:
        return all(b[2] < t[0] or t[2] < b[0] or b[3] < t[1] or t[3] < b[1] for t in taken)

    def inside(b: tuple[float, float, float, float]) -> bool:
        return b[0] >= 0 and b[2] <= size[0] and b[1] >= 0 and b[3] <= size[1]

    fitting = [s for s in order if inside(box(s))] or order  # a side cut off by the edge only when none fits
    spot = next((s for s in fitting if clear(box(s))), fitting[0])
    taken.append(box(spot))
    return spot


def _edge_label_spot(x1: float, y1: float, x2: float, y2: float, from_centre: bool, text: str,
                     taken: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """Where along its link a label goes: `EDGE_LABEL_AT` from the centre, or nearer either end when a name or
    another label is there already."""
    width = len(text) * CHAR_WIDTH * 0.9
    for at in (EDGE_LABEL_AT, 0.75, 0.5, 0.85, 0.4):
        x, y = _along(x1, y1, x2, y2, at if from_centre else 1 - at)
        box = (x - width / 2, y - 10, x + width / 2, y + 2)
        if not text or all(box[2] < t[0] or t[2] < box[0] or box[3] < t[1] or t[3] < box[1] for t in taken):
            break
    else:
        x, y = _along(x1, y1, x2, y2, EDGE_LABEL_AT if from_centre else 1 - EDGE_LABEL_AT)
        box = (x - width / 2, y - 10, x + width / 2, y + 2)
    if text:
        taken.append(box)
    return x, y


def _along(x1: float, y1: float, x2: float, y2: float, at: float) -> tuple[float, float]:
    return round(x1 + (x2 - x1) * at, 1), round(y1 + (y2 - y1) * at - 3, 1)


def legend(nodes: tuple[PlacedNode, ...] | list[PlacedNode]) -> tuple[Swatch, ...]:
    """One swatch per colour shown, naming the classes drawn in it."""
    kinds: dict[str, set[str]] = {}
    for n in nodes:
        kinds.setdefault(n.colour, set()).add(n.kind or "other")
    return tuple(sorted((Swatch(", ".join(sorted(k)), c) for c, k in kinds.items()), key=lambda s: s.label))
