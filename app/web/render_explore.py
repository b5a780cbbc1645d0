"""How the exploration views are shown: /timeline, /graph and the cooperation profiles as pages (from the page
model of app/web/queries and the geometry of pictures.py / timeline_picture.py), and as RDF or CSV documents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from flask import render_template, url_for

from app.config import Settings
from app.vocab import DEFCOOP, PREFIXES, RDF_TYPE, RDFS_LABEL
from app.web import pictures, timeline_picture
from app.web.model import Network, Node, Profile, Timeline
from app.web.render import TIMELINE_FORMATS
from app.web.renderers import RESULTS_CSV, Format, write_graph, write_solutions


@dataclass(frozen=True)
class Choice:
    slug: str
    label: str
    selected: bool
    selected_second: bool = False
    """On /profiles: chosen as the second country."""

    @property
    def selected_first(self) -> bool:
        return self.selected


def pair_choices(countries: Sequence[Node], settings: Settings) -> list[Choice]:
    """The countries /profiles offers, by slug (the first two chosen by default)."""
    prefix = settings.id_prefix + "country/"
    found = [c for c in countries if c.value.startswith(prefix)]
    return [Choice(c.value[len(prefix):], c.label, n == 0, n == 1) for n, c in enumerate(found)]


NETWORK_HEADERS = ("from", "link", "to", "from IRI", "to IRI", "inferred")
"""The columns of the network's links as CSV."""


def network_page(found: Network, settings: Settings, args: Mapping[str, str]) -> str:
    """/graph: the filter form (countries by slug), the drawing, the links as a table, downloads of the same."""
    chosen = found.timeline.country.value if found.timeline.country else None
    prefix = settings.id_prefix + "country/"
    countries = [Choice(c.value[len(prefix):], c.label, c.value == chosen) for c in found.timeline.countries
                 if c.value.startswith(prefix)]
    kept = {k: v for k, v in args.items() if k in ("country", "from", "to") and v}
    return render_template("network.html", network=found, picture=pictures.network_picture(found),
                           countries=countries,
                           downloads={f.extension: url_for("explore.network", **kept, format=f.extension)
                                      for f in TIMELINE_FORMATS[1:]})


def network_document(found: Network, fmt: Format) -> bytes:
    """The network's links as RDF (each link a triple, each node named) or as CSV (one row per link)."""
    if fmt is RESULTS_CSV:
        rows = [[ox.Literal(e.source.label), ox.Literal(", ".join(p.label for p in e.properties)),
                 ox.Literal(e.target.label), ox.NamedNode(e.source.value), ox.NamedNode(e.target.value),
                 ox.Literal("yes" if e.inferred else "no")] for e in found.edges]
        return write_solutions(RESULTS_CSV, NETWORK_HEADERS, rows, None)
    label = ox.NamedNode(RDFS_LABEL)
    triples = [ox.Triple(ox.NamedNode(n.node.value), label, ox.Literal(n.node.label)) for n in found.nodes]
    triples += [ox.Triple(ox.NamedNode(e.source.value), ox.NamedNode(p.value), ox.NamedNode(e.target.value))
                for e in found.edges for p in e.properties]
    return write_graph(fmt, triples, PREFIXES)


def profile_page(found: Profile, first: str, second: str) -> str:
    """A profile's page: its events as a picture and a table, programmes, sides and figures (countries by slug)."""
    return render_template("profile.html", profile=found, first_slug=first, second_slug=second,
                           picture=timeline_picture.timeline_picture(found.timeline))


def timeline_page(found: Timeline, args: Mapping[str, str], settings: Settings) -> str:
    """The /timeline page: the filter form (countries by slug), the picture, the table, downloads of the same."""
    chosen = found.country.value if found.country else None
    countries = [Choice(c.value.rsplit("/", 1)[-1], c.label, c.value == chosen) for c in found.countries
                 if c.value.startswith(settings.id_prefix + "country/")]
    kept = {k: v for k, v in args.items() if k in ("country", "programme", "involving", "from", "to") and v}
    return render_template(
        "timeline.html",
        timeline=found,
        picture=timeline_picture.timeline_picture(found),
        countries=countries,
        programme_slug=kept.get("programme"),
        involving=kept.get("involving"),
        without_programme=url_for("explore.timeline", **{k: v for k, v in kept.items() if k != "programme"}),
        without_involving=url_for("explore.timeline", **{k: v for k, v in kept.items() if k != "involving"}),
        downloads=[(f.title, f.media_type, url_for("explore.timeline", **kept, format=f.extension))
                   for f in TIMELINE_FORMATS[1:]],
    )


TIMELINE_HEADERS = ("start date", "end date", "event", "kind", "date is", "date from claims", "places",
                    "programmes discussed", "IRI")
"""The columns of the timeline as CSV, as a spreadsheet shows them."""


def timeline_document(found: Timeline, fmt: Format) -> bytes:
    """The timeline's events as RDF (what each is, its name, dates, places and programmes discussed) or as CSV."""
    if fmt is not RESULTS_CSV:
        return write_graph(fmt, _timeline_triples(found), PREFIXES)

    def cell(text: str | None) -> ox.Literal | None:
        return ox.Literal(text) if text else None

    rows = [[cell(i.start), cell(i.end), cell(i.node.label), cell(i.kind.label if i.kind else None),
             cell(i.date_status), cell(" ".join(c.value for c in i.date_claims)),
             cell("; ".join(p.label for p in i.places)), cell("; ".join(p.label for p in i.programmes)),
             ox.NamedNode(i.node.value)] for i in found.items]
    return write_solutions(RESULTS_CSV, TIMELINE_HEADERS, rows, None)


def _timeline_triples(found: Timeline) -> list[ox.Triple]:
    date_type = ox.NamedNode(PREFIXES["xsd"] + "date")
    triples = []
    for i in found.items:
        event = ox.NamedNode(i.node.value)
        triples.append(ox.Triple(event, ox.NamedNode(RDFS_LABEL), ox.Literal(i.node.label)))
        if i.kind:
            triples.append(ox.Triple(event, ox.NamedNode(RDF_TYPE), ox.NamedNode(i.kind.value)))
        triples.append(ox.Triple(event, ox.NamedNode(str(DEFCOOP.startDate)), ox.Literal(i.start, datatype=date_type)))
        if i.end:
            triples.append(ox.Triple(event, ox.NamedNode(str(DEFCOOP.endDate)), ox.Literal(i.end, datatype=date_type)))
        triples += [ox.Triple(event, ox.NamedNode(str(DEFCOOP.location)), ox.NamedNode(p.value)) for p in i.places]
        triples += [ox.Triple(event, ox.NamedNode(str(DEFCOOP.discussed)), ox.NamedNode(p.value))
                    for p in i.programmes]
    return triples


PROFILE_HEADERS = ("part", "name", "IRI", "detail")
"""The columns of a profile as CSV: which part of the profile a row is, what it names, and what more it says."""


def profile_document(found: Profile, fmt: Format) -> bytes:
    """A profile as RDF (its events as the timeline gives them, its programmes, participants with their country,
    its figures with their values) or as CSV (one row per thing it lists)."""
    if fmt is RESULTS_CSV:
        def row(part: str, node: Node, detail: str | None) -> list[ox.Literal | ox.NamedNode | None]:
            return [ox.Literal(part), ox.Literal(node.label), ox.NamedNode(node.value),
                    ox.Literal(detail) if detail else None]

        rows = [row("event", i.node, f"{i.start} ({i.date_status})") for i in found.timeline.items]
        rows += [row("programme", p, None) for p in found.programmes]
        rows += [row("participant", p, side.country.label) for side in found.sides for p in side.participants]
        rows += [row("figure", q.node, f"{q.value} ({q.status.label}, {q.claim.label})") for q in found.quantities]
        return write_solutions(RESULTS_CSV, PROFILE_HEADERS, rows, None)
    label, triples = ox.NamedNode(RDFS_LABEL), _timeline_triples(found.timeline)
    for node in (found.first, found.second, *found.programmes):
        triples.append(ox.Triple(ox.NamedNode(node.value), label, ox.Literal(node.label)))
    for side in found.sides:
        for p in side.participants:
            triples.append(ox.Triple(ox.NamedNode(p.value), label, ox.Literal(p.label)))
            triples.append(ox.Triple(ox.NamedNode(p.value), ox.NamedNode(str(DEFCOOP.country)),
                                     ox.NamedNode(side.country.value)))
    for q in found.quantities:
        value = ox.Literal(q.value, datatype=ox.NamedNode(q.datatype)) if q.datatype else ox.Literal(q.value)
        triples.append(ox.Triple(ox.NamedNode(q.node.value), ox.NamedNode(str(DEFCOOP.value)), value))
    return write_graph(fmt, list(dict.fromkeys(triples)), PREFIXES)
