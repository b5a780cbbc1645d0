"""Benchmark: the competency questions through DefCoop's store vs raw pyoxigraph and rdflib, in one run.

Prints a figure per question and engine, and ratios against the raw Oxigraph peer. Never pass/fail.

    python bench/queries.py [--build-dir build] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from app.config import ROOT, load_settings
from app.store import current_release, open_release_store


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    settings = load_settings({"build_dir": args.build_dir} if args.build_dir else {})
    release = current_release(settings.build_dir)
    if release is None:
        raise SystemExit("nothing published: run `defcoop build` first")
    ours = open_release_store(release)
    raw = ox.Store.read_only(str(release.store_path))
    peer = Dataset(default_union=True)
    peer.parse(release.downloads_dir / "defcoop.trig", format="trig")
    print(f"release {release.id}: {release.manifest['quads']} quads; median of {args.repeat} runs, ms")
    print(f"{'question':32} {'defcoop':>9} {'oxigraph':>9} {'rdflib':>9} {'ours/ox':>8} {'rdflib/ox':>9}")
    for path in sorted((ROOT / "ontology" / "competency-questions").glob("*.rq")):
        query = path.read_text(encoding="utf-8")
        a = timed(lambda: ours.select(query), args.repeat)  # noqa: B023
        b = timed(lambda: list(raw.query(query, use_default_graph_as_union=True)), args.repeat)  # noqa: B023
        c = timed(lambda: list(peer.query(query)), max(3, args.repeat // 5))  # noqa: B023
        print(f"{path.stem:32} {a:9.2f} {b:9.2f} {c:9.2f} {a / b:8.2f} {c / b:9.1f}")


if __name__ == "__main__":
    main()
