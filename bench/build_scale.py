"""Benchmark: `defcoop build` over the bundled data plus synthetic sources, to see how each step scales.

Prints triples, claims and seconds per step (parse, checks, SHACL, reasoning, publish). Never pass/fail.

    python bench/build_scale.py --sources 10 --claims 100
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from app.config import ROOT, load_settings
from app.pipeline import build

HEADER = """@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix claim: <https://w3id.org/defcoop/id/claim/> .
@prefix source: <https://w3id.org/defcoop/id/source/> .
@prefix firm: <https://w3id.org/defcoop/id/firm/> .
@prefix meeting: <https://w3id.org/defcoop/id/meeting/> .
@prefix country: <https://w3id.org/defcoop/id/country/> .
@prefix city: <https://w3id.org/defcoop/id/city/> .
@prefix status: <https://w3id.org/defcoop/id/epistemic-status/> .
"""


def synthetic_source(data: Path, s: int, claims: int) -> None:
    """One source text and its facts file: `claims` sentences, each stating a firm met at a meeting in Moscow."""
    slug = f"synthetic-{s:04d}"
    sentences = [f"Synthetic Firm {s}-{c} met partners at meeting {s}-{c} in Moscow." for c in range(claims)]
    (data / "sources" / f"{slug}.txt").write_text(" ".join(sentences), encoding="utf-8")
    graphs, provenance = [], []
    for c, sentence in enumerate(sentences):
        claim, firm, meeting = f"claim:{slug}-{c:05d}", f"firm:{slug}-{c:05d}", f"meeting:{slug}-{c:05d}"
        graphs.append(f"""{claim} {{
  {firm} a defcoop:Firm ; rdfs:label "Synthetic Firm {s}-{c}"@en ; defcoop:country country:india .
  {meeting} a defcoop:Meeting ; rdfs:label "Meeting {s}-{c}"@en ;
    defcoop:location city:moscow ; defcoop:participant {firm} .
}}""")
        provenance.append(f"""  {claim} a defcoop:Claim ; prov:wasDerivedFrom source:{slug} ;
    defcoop:quote "{sentence}" ; defcoop:epistemicStatus status:stated .""")
    source = f"""  source:{slug} a defcoop:Source ; dcterms:title "Synthetic source {s}"@en ;
    defcoop:textFile "sources/{slug}.txt" ."""
    body = "\n".join(graphs) + f"\n<https://w3id.org/defcoop/graph/provenance/{slug}> {{\n{source}\n" + \
        "\n".join(provenance) + "\n}\n"
    (data / "facts" / f"{slug}.trig").write_text(HEADER + body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--claims", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data)
        for s in range(args.sources):
            synthetic_source(data, s, args.claims)
        started = time.perf_counter()
        published = build(load_settings({"data_dir": data, "build_dir": Path(tmp) / "build"}))
        total = time.perf_counter() - started
        m = published.manifest
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in m["timings_s"].items())
        print(f"{args.sources} synthetic sources × {args.claims} claims: {m['triples']} triples, {m['quads']} quads, "
              f"{m['claims']} claims; build {total:.1f}s ({steps})")


if __name__ == "__main__":
    main()
