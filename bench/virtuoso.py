"""Benchmark: Virtuoso as DefCoop's store, beside the embedded one, on the bundled data and a generated data set.

    python bench/virtuoso.py [--triples 100000] [--repeat 15]

For each data set: builds it (embedded store), starts a private Virtuoso (tests/stores.py), times publishing the
release into it as `defcoop build` does (one transaction: app/virtuoso.py), then prints the median of each query
of the mix (the competency questions and bench/serve.py's extra queries) through the embedded store and through
Virtuoso's SPARQL endpoint (DefCoop's RemoteStore, HTTP included), with the ratio. Prints figures; never fails.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import ROOT, load_settings  # noqa: E402
from app.pipeline import build  # noqa: E402
from app.store import GraphStore, open_release_store, open_remote_store  # noqa: E402
from bench.generate import generate  # noqa: E402
from bench.serve import EXTRA, sample_iris  # noqa: E402
from tests.stores import Virtuoso, release_dumps  # noqa: E402


def median_ms(store: GraphStore, query: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        list(store.query(query))  # type: ignore[call-overload]
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def run(name: str, data: Path, work: Path, repeat: int) -> None:
    build_dir = work / "build"
    settings = load_settings({"data_dir": data, "build_dir": build_dir}, environ={})
    published = build(settings)
    manifest = published.manifest
    print(f"\n## {name}: {manifest['triples']:,} triples, {manifest['quads']:,} quads in {manifest['graphs']:,} graphs")
    server = Virtuoso(work / "virtuoso", work).start()
    try:
        quads, triples = release_dumps(published.release, work / "dumps")
        first = server.load(quads, triples)
        again = server.load(quads, triples)  # a rebuild replaces the release already there
        print(f"publish into Virtuoso (one transaction): {first:.1f} s into an empty store, {again:.1f} s replacing it")
        embedded = open_release_store(published.release)
        remote = open_remote_store(load_settings({"store_endpoint": server.endpoint, "store_dialect": "virtuoso"},
                                                 environ={}))
        iris = sample_iris(build_dir)
        meeting = (iris.get("Meeting") or ["https://w3id.org/defcoop/id/meeting/none"])[0]
        mix = {p.stem: p.read_text(encoding="utf-8")
               for p in sorted((ROOT / "ontology" / "competency-questions").glob("*.rq"))}
        mix |= {k: q.replace("{meeting}", meeting) for k, q in EXTRA.items()}
        print(f"{'query':32} {'embedded':>9} {'virtuoso':>9} {'ratio':>7}")
        ratios = []
        for key, query in mix.items():
            ours, theirs = median_ms(embedded, query, repeat), median_ms(remote, query, repeat)
            ratios.append(theirs / ours)
            print(f"{key:32} {ours:8.1f}  {theirs:8.1f}  {theirs / ours:6.2f}")
        print(f"geometric mean ratio (virtuoso / embedded): {math.exp(statistics.mean(map(math.log, ratios))):.2f}")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("bundled data", ROOT / "data", Path(tmp) / "bundled", args.repeat)
        generate(Path(tmp) / "data", args.triples)
        run(f"generated, --triples {args.triples}", Path(tmp) / "data", Path(tmp) / "generated", args.repeat)


if __name__ == "__main__":
    main()
