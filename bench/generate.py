"""Generate a DefCoop data folder of about N published triples, shaped like real sources, that builds clean.

    python bench/generate.py --triples 1000000 --out /tmp/defcoop-1m

The folder holds the bundled data (data/ of this repository), a curated reference file of more countries and
cities (the hubs every source links to), and generated sources: each a text of numbered sentences and a TriG
file with one claim per sentence. Claims rotate through what real sources say: meetings in a city on a date
between firms of two countries discussing a programme, visits by delegations led by a person (day and month
only, with an editorial-inference claim adding the year), programmes agreed between firms (attributed to
unnamed sources), and numbers about firms. Firms recur across sources, so entities are shared like real ones.
The output depends only on the arguments (a seeded generator): the same command writes the same bytes.

Benchmarks and tests share this module; keep the command line stable, it is how the build is measured.
"""

from __future__ import annotations

import argparse
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRIPLES_PER_CLAIM = 21.5
"""Distinct published triples (asserted, provenance and inferred) per generated claim, measured on builds of this
generator's output; used only to turn --triples into a number of claims."""

PREFIXES = """@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix claim: <https://w3id.org/defcoop/id/claim/> .
@prefix source: <https://w3id.org/defcoop/id/source/> .
@prefix agent: <https://w3id.org/defcoop/id/agent/> .
@prefix firm: <https://w3id.org/defcoop/id/firm/> .
@prefix meeting: <https://w3id.org/defcoop/id/meeting/> .
@prefix visit: <https://w3id.org/defcoop/id/visit/> .
@prefix delegation: <https://w3id.org/defcoop/id/delegation/> .
@prefix person: <https://w3id.org/defcoop/id/person/> .
@prefix programme: <https://w3id.org/defcoop/id/programme/> .
@prefix quantity: <https://w3id.org/defcoop/id/quantity/> .
@prefix country: <https://w3id.org/defcoop/id/country/> .
@prefix city: <https://w3id.org/defcoop/id/city/> .
@prefix equipment: <https://w3id.org/defcoop/id/equipment-type/> .
@prefix scheme: <https://w3id.org/defcoop/id/scheme/> .
@prefix epistemic-status: <https://w3id.org/defcoop/id/epistemic-status/> .
@prefix programme-status: <https://w3id.org/defcoop/id/programme-status/> .
@prefix comparator: <https://w3id.org/defcoop/id/comparator/> .
"""

# (slug, name, capital slug, capital name); India, Russia and Moscow come with the bundled reference data.
COUNTRIES = [
    ("india", "India", "new-delhi", "New Delhi"), ("russia", "Russia", "moscow", "Moscow"),
    ("france", "France", "paris", "Paris"), ("germany", "Germany", "berlin", "Berlin"),
    ("israel", "Israel", "jerusalem", "Jerusalem"), ("brazil", "Brazil", "brasilia", "Brasília"),
    ("japan", "Japan", "tokyo", "Tokyo"), ("south-korea", "South Korea", "seoul", "Seoul"),
    ("turkey", "Turkey", "ankara", "Ankara"), ("egypt", "Egypt", "cairo", "Cairo"),
    ("indonesia", "Indonesia", "jakarta", "Jakarta"), ("vietnam", "Vietnam", "hanoi", "Hanoi"),
]
BUNDLED = {"india", "russia", "moscow"}
EQUIPMENT = ["radar components", "armoured vehicle parts", "naval propulsion units", "small arms ammunition",
             "avionics modules", "missile guidance sections", "night vision devices", "training simulators"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
STATUSES = ["discussed", "proposed", "interest-expressed", "sought", "established"]
KINDS = ("meeting", "visit", "year", "programme", "quantity")


@dataclass(frozen=True)
class Firm:
    slug: str
    name: str
    country: str


def slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def firm_pool(size: int, rng: random.Random) -> list[Firm]:
    """Firms shared by all sources, so one firm is described by several of them (always alike)."""
    stems = ["Aero", "Defence", "Precision", "Systems", "Dynamics", "Armour", "Naval", "Optics", "Forge", "Avionics"]
    firms = []
    for n in range(size):
        country = COUNTRIES[n % len(COUNTRIES)]
        name = f"{rng.choice(stems)} {rng.choice(stems)} Works {n}"
        firms.append(Firm(f"generated-{n:06d}", name, country[0]))
    return firms


def reference_file(out: Path) -> None:
    """Countries and capitals the bundled reference data lacks, curated like it."""
    claims = ["claim:generated-reference-places {"]
    for slug, name, city, city_name in COUNTRIES:
        if slug not in BUNDLED:
            claims.append(f"    country:{slug} a defcoop:Country ; rdfs:label {turtle_string(name)}@en .")
        if city not in BUNDLED:
            claims.append(f"    city:{city} a defcoop:City ; rdfs:label {turtle_string(city_name)}@en ; "
                          f"defcoop:inCountry country:{slug} .")
    claims.append("}")
    for name in EQUIPMENT:
        claims.insert(-1, f"    equipment:{slugify(name)} a defcoop:EquipmentType ; "
                          f"skos:prefLabel {turtle_string(name)}@en ; skos:inScheme scheme:equipment-type .")
    provenance = """<https://w3id.org/defcoop/graph/provenance/generated-reference> {
    source:generated-reference a defcoop:Source ;
        dcterms:title "Generated reference places for benchmarks"@en .
    claim:generated-reference-places a defcoop:Claim ;
        prov:wasDerivedFrom source:generated-reference ;
        defcoop:epistemicStatus epistemic-status:curated ;
        defcoop:rationale "Generated for benchmarks: countries, capitals and equipment types the generated sources use." .
}
"""
    (out / "facts" / "generated-reference.trig").write_text(
        PREFIXES + "\n".join(claims) + "\n\n" + provenance, encoding="utf-8")


def source_files(out: Path, number: int, claims: int, firms: list[Firm], rng: random.Random) -> None:
    """One source: a text of `claims` sentences and its facts, one claim graph per sentence."""
    slug = f"generated-{number:05d}"
    year = 2015 + number % 10
    sentences: list[str] = []
    graphs: list[str] = []
    described: list[str] = []
    last_visit: tuple[str, str, int, int] | None = None  # (visit slug, sentence, month, day)
    local = rng.sample(firms, k=min(len(firms), max(4, claims // 3)))

    def firm_triples(f: Firm) -> str:
        return (f"    firm:{f.slug} a defcoop:Firm ; rdfs:label {turtle_string(f.name)}@en ; "
                f"defcoop:country country:{f.country} .\n")

    for c in range(claims):
        kind = KINDS[c % len(KINDS)]
        if kind == "year" and last_visit is None:
            kind = "meeting"
        key = f"{slug}-{c:05d}"
        a, b = rng.sample(local, 2)
        country_a = next(x for x in COUNTRIES if x[0] == a.country)
        country_b = next(x for x in COUNTRIES if x[0] == b.country)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        equipment = rng.choice(EQUIPMENT)
        status = "stated"
        extra = ""
        if kind == "meeting":
            sentence = (f"({c}) At a meeting in {country_b[3]} on {day} {MONTHS[month - 1]} {year}, {a.name} of "
                        f"{country_a[1]} and {b.name} of {country_b[1]} discussed joint production of {equipment}.")
            body = (f"    meeting:{key} a defcoop:Meeting ; rdfs:label {turtle_string(f'Meeting {key} in ' + country_b[3])}@en ;\n"
                    f"        defcoop:location city:{country_b[2]} ; defcoop:startDate \"{year}-{month:02d}-{day:02d}\"^^xsd:date ;\n"
                    f"        defcoop:participant firm:{a.slug}, firm:{b.slug} ; defcoop:discussed programme:{key} .\n"
                    f"    programme:{key} a defcoop:Programme ; rdfs:label {turtle_string('Joint production of ' + equipment + ' ' + key)}@en ;\n"
                    f"        defcoop:programmeStatus programme-status:discussed ; defcoop:concernsEquipment equipment:{slugify(equipment)} .\n"
                    + firm_triples(a) + firm_triples(b))
        elif kind == "visit":
            person = f"Official {number}-{c}"
            sentence = (f"({c}) A delegation from {country_a[1]} led by {person} visited {country_b[3]} "
                        f"on {day} {MONTHS[month - 1]}.")
            body = (f"    visit:{key} a defcoop:Visit ; rdfs:label {turtle_string(f'Visit {key} to ' + country_b[3])}@en ;\n"
                    f"        defcoop:location city:{country_b[2]} ; defcoop:statedStartDay \"--{month:02d}-{day:02d}\"^^xsd:gMonthDay ;\n"
                    f"        defcoop:participant delegation:{key} .\n"
                    f"    delegation:{key} a defcoop:Delegation ; rdfs:label {turtle_string(f'Delegation {key} from ' + country_a[1])}@en ;\n"
                    f"        defcoop:country country:{a.country} ; defcoop:ledBy person:{key} .\n"
                    f"    person:{key} a defcoop:Person ; rdfs:label {turtle_string(person)}@en .\n")
            last_visit = (key, sentence, month, day)
        elif kind == "year":
            assert last_visit is not None
            visit, sentence, month, day = last_visit
            status = "editorial-inference"
            extra = (f' ;\n        defcoop:rationale "The sentence gives day and month only; the year is the '
                     f'year of the source\'s other events ({year})."')
            body = f"    visit:{visit} defcoop:startDate \"{year}-{month:02d}-{day:02d}\"^^xsd:date .\n"
            last_visit = None
        elif kind == "programme":
            sentence = (f"({c}) {a.name} and {b.name} have agreed to produce {equipment} together, "
                        f"according to industry sources.")
            status = "attributed-to-unnamed-sources"
            extra = (' ;\n        defcoop:attribution "according to industry sources" ;\n'
                     f"        prov:wasAttributedTo agent:{slug}-industry-sources")
            body = (f"    programme:{key} a defcoop:Programme ; rdfs:label {turtle_string('Production of ' + equipment + ' ' + key)}@en ;\n"
                    f"        defcoop:partner firm:{a.slug}, firm:{b.slug} ; defcoop:programmeStatus programme-status:{rng.choice(STATUSES)} ;\n"
                    f"        defcoop:concernsEquipment equipment:{slugify(equipment)} .\n"
                    + firm_triples(a) + firm_triples(b))
        else:
            count = rng.randint(20, 5000)
            sentence = f"({c}) {a.name} employs more than {count} engineers."
            body = (f"    firm:{a.slug} defcoop:quantity quantity:{key} .\n"
                    f"    quantity:{key} a defcoop:QuantitativeFact ; rdfs:label {turtle_string('Engineers of ' + a.name + ' ' + key)}@en ;\n"
                    f"        defcoop:value {count} ; defcoop:comparator comparator:more-than ; defcoop:unitText \"engineers\" ;\n"
                    f"        defcoop:unitCode \"C62\" ; defcoop:measure \"engineers employed by the firm\" .\n"
                    + firm_triples(a))
        if kind != "year":
            sentences.append(sentence)
        graphs.append(f"claim:{key} {{\n{body}}}\n")
        described.append(f"    claim:{key} a defcoop:Claim ; prov:wasDerivedFrom source:{slug} ;\n"
                         f"        defcoop:quote {turtle_string(sentence)} ;\n"
                         f"        defcoop:epistemicStatus epistemic-status:{status}{extra} .\n")
    (out / "sources" / f"{slug}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    provenance = (f"<https://w3id.org/defcoop/graph/provenance/{slug}> {{\n"
                  f"    source:{slug} a defcoop:Source ; dcterms:title \"Generated source {number}\"@en ;\n"
                  f"        defcoop:textFile \"sources/{slug}.txt\" ; defcoop:unknown \"publisher and author\" .\n"
                  f"    agent:{slug}-industry-sources a prov:Agent ;\n"
                  f"        rdfs:label \"Industry sources (unnamed by generated source {number})\"@en .\n"
                  + "".join(described) + "}\n")
    (out / "facts" / f"{slug}.trig").write_text(PREFIXES + "\n" + "".join(graphs) + "\n" + provenance,
                                                 encoding="utf-8")


def generate(out: Path, triples: int, claims_per_source: int = 1000, seed: int = 7) -> int:
    """Write the data folder; return the number of generated sources."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(ROOT / "data", out)
    rng = random.Random(seed)
    claims = max(5, round(triples / TRIPLES_PER_CLAIM))
    per_source = max(5, min(claims_per_source, claims))
    sources = max(1, round(claims / per_source))
    firms = firm_pool(max(8, claims // 6), rng)
    reference_file(out)
    for number in range(sources):
        source_files(out, number, per_source, firms, rng)
    return sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, required=True, help="about how many triples the build publishes")
    parser.add_argument("--out", type=Path, required=True, help="data folder to write (replaced if it exists)")
    parser.add_argument("--claims-per-source", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sources = generate(args.out, args.triples, args.claims_per_source, args.seed)
    print(f"wrote {sources} generated sources (+ bundled data) to {args.out}")


if __name__ == "__main__":
    main()
