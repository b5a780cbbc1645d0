"""Benchmark: every figure of DefCoop at one size, in one run (issue 7 §3).

    python bench/run.py --triples 1000000 [--rdflib-triples 20000] [--repeat 15] [--load-seconds 15] [--keep DIR]

Prints, in order (never passes or fails):
1. the build (bench/build.py): generated data of `--triples`, `defcoop build` from scratch and after one source
   changed, wall time and peak memory, with the build's own table of seconds and triples per stage;
2. serving that release (bench/serve.py): each query of the mix through DefCoop's /sparql and `oxigraph
   serve-read-only` on the same store with the ratios; page latencies, p50 and p99; a mixed load with wrk;
3. the pages with pictures (bench/pictures.py): the median and slowest of each, response cache off;
4. the same query mix at `--rdflib-triples`, a size where rdflib in memory finishes, with rdflib beside DefCoop and
   Oxigraph (rdflib/defcoop ratios: how much faster DefCoop is than the pure-Python path).

`--keep DIR` keeps the generated data and builds in DIR (else a temporary folder, removed at the end).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.build import build_figures, timed_build  # noqa: E402
from bench.generate import generate  # noqa: E402
from bench.pictures import time_pages  # noqa: E402
from bench.serve import compare  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rdflib-triples", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--load-seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="keep the data and builds in this folder")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.keep, args)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args)


def run(root: Path, args: argparse.Namespace) -> None:
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"# DefCoop benchmark, {time.strftime('%Y-%m-%d %H:%M')}; {platform.processor() or platform.machine()}, "
          f"{cores} cores, Python {platform.python_version()}\n")
    big = root / "build"
    print(f"# 1. build at {args.triples:,} triples")
    build_figures(root / "data", big, args.triples)
    print(f"\n# 2. serving {args.triples:,} triples")
    compare(big, args.repeat, args.load_seconds, args.connections)
    print(f"\n# 3. pages with pictures at {args.triples:,} triples")
    time_pages(big, max(3, args.repeat // 2))
    small = root / "build-small"
    generate(root / "data-small", args.rdflib_triples)
    print(f"\n# 4. the query mix at {args.rdflib_triples:,} triples, with rdflib in memory")
    print(timed_build(root / "data-small", small).splitlines()[-1])
    compare(small, args.repeat, 0, args.connections, with_rdflib=True, pages=False)


if __name__ == "__main__":
    main()
