"""Benchmark: `defcoop build` on a generated data set, from scratch and after one source changed.

    python bench/build.py --triples 1000000

Generates the data (bench/generate.py), runs `defcoop build` under `/usr/bin/time -v` (wall time, peak memory of
the largest process), prints the build's own table of seconds and triples per stage, then edits one generated
source and builds again (the incremental rebuild). Prints figures; never passes or fails.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import generate  # noqa: E402


def timed_build(data: Path, build_dir: Path) -> str:
    result = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "app.cli", "build",
                             "--data-dir", str(data), "--build-dir", str(build_dir)],
                            capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    table = "\n".join(line for line in result.stdout.splitlines() if not line.startswith(("store:", "dumps:")))
    return f"{table}\nwall {wall.group(1) if wall else '?'}, peak RSS {int(rss.group(1)) / 1e6 if rss else 0:.2f} GB"


def build_figures(data: Path, build_dir: Path, triples: int) -> None:
    """Generate about `triples` into `data`, build from scratch into `build_dir`, change one source, build again;
    print both builds' figures."""
    sources = generate(data, triples)
    print(f"# {sources} generated sources + bundled data, about {triples:,} triples\n")
    print("## from scratch\n" + timed_build(data, build_dir))
    changed = data / "facts" / "generated-00000.trig"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace('"Official 0-1"@en', '"Official 0-1 (renamed)"@en'), encoding="utf-8")
    print("\n## after one source changed\n" + timed_build(data, build_dir))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build_figures(Path(tmp) / "data", Path(tmp) / "build", args.triples)


if __name__ == "__main__":
    main()
