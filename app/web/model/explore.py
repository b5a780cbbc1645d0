"""The page model of the exploration views: relation graphs, timelines and cooperation profiles."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.model.node import Node


@dataclass(frozen=True)
class GraphNode:
    """A node of a relation graph: the entity, its class (the asserted DefCoop class, if any) and its degree (how
    many links it has in the store, which ranks a hub's neighbours)."""

    node: Node
    kind: Node | None
    degree: int = 0


@dataclass(frozen=True)
class GraphEdge:
    """Links from `source` to `target`, one per property; `inferred` when only the reasoner states them."""

    source: Node
    target: Node
    properties: tuple[Node, ...]
    inferred: bool = False


@dataclass(frozen=True)
class RelationGraph:
    """An entity (`centre`), at most `GRAPH_NODES` of its neighbours one hop away in either direction, the links
    among all of them, and how many neighbours it has in all."""

    centre: GraphNode
    neighbours: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    total: int
    counted_all: bool = True
    """False when `total` is where counting stopped: there are at least that many."""

    @property
    def more(self) -> int:
        """Neighbours left out."""
        return max(0, self.total - len(self.neighbours))


@dataclass(frozen=True)
class TimelineItem:
    """A dated event: its class, first and last day, where, and on what footing its date stands: `date_status` is
    `stated` when a claim the source states (or attributes) gives the date, `inferred` when only editorial inferences
    do (a year the source leaves out); `date_claims` are the claims that give it."""

    node: Node
    kind: Node | None
    start: str
    end: str | None
    date_status: str
    date_claims: tuple[Node, ...] = ()
    places: tuple[Node, ...] = ()
    programmes: tuple[Node, ...] = ()
    stated_day: str | None = None
    """The first day as the source states it without a year (`--10-29`), when the year is inferred."""


@dataclass(frozen=True)
class Timeline:
    """Dated events in order of their first day (at most `TIMELINE_ITEMS`), how many match in all, and the
    filters that chose them (IRIs, years)."""

    items: tuple[TimelineItem, ...]
    total: int
    country: Node | None = None
    programme: Node | None = None
    involving: Node | None = None
    year_from: int | None = None
    year_to: int | None = None
    countries: tuple[Node, ...] = ()
    """The countries a reader may filter by (on /timeline)."""

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


@dataclass(frozen=True)
class ProfileSide:
    """One country of a profile and the participants of the pair's events recorded as from it."""

    country: Node
    participants: tuple[Node, ...]


@dataclass(frozen=True)
class ProfileQuantity:
    """A figure relating the two countries, as one claim states it."""

    node: Node
    value: str
    datatype: str | None
    """The value's datatype IRI (None for a plain string)."""
    claim: Node
    status: Node
    quote: str | None


@dataclass(frozen=True)
class Profile:
    """Two countries' cooperation: events involving both, programmes, each side's participants, figures."""

    first: Node
    second: Node
    timeline: Timeline
    programmes: tuple[Node, ...]
    sides: tuple[ProfileSide, ...]
    quantities: tuple[ProfileQuantity, ...]


@dataclass(frozen=True)
class Network:
    """The cooperation network around dated events (at most `NETWORK_EVENTS`, first first): the events, who took
    part, where, what was discussed and the countries behind them, with the links among them all."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    events: int
    """Events drawn."""
    events_total: int
    """Events matching the filters."""
    timeline: Timeline
    """The events drawn, and the filters (country, years) and countries offered."""
