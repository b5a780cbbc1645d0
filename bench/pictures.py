"""Benchmark: the pages with pictures and the exploration views (entity pages with their relation graph and timeline,
/timeline, /graph, a cooperation profile, a source read with its facts, class and search pages with facets, question
pages, releases), served by `defcoop serve` with the response cache off, so every request computes its page.

    python bench/pictures.py --build-dir /tmp/b100k [--repeat 11] [--only India …]

Prints, for each page, the median and the slowest of `--repeat` GETs over loopback (never passes or fails).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import load_settings  # noqa: E402
from app.store import current_release, open_release_store  # noqa: E402

DEFCOOP = "https://w3id.org/defcoop/ontology#"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pages(build_dir: Path) -> dict[str, str]:
    """Name → path of the pages to time: hubs and ordinary entities of each kind with a picture."""
    settings = load_settings({"build_dir": build_dir})
    release = current_release(build_dir)
    assert release is not None, "nothing published there"
    store = open_release_store(release)
    base = settings.base_iri.rstrip("/")

    def first(kind: str, extra: str = "") -> str:
        rows = store.select(f"SELECT ?x WHERE {{ ?x a <{DEFCOOP}{kind}> {extra} }} LIMIT 1")
        return rows[0]["x"].value.removeprefix(base)

    programme = first("Programme", f"FILTER EXISTS {{ ?e <{DEFCOOP}discussed> ?x }}")
    source = first("Source", f"FILTER(STRSTARTS(STR(?x), \"{settings.id_prefix}source/generated-0\"))")
    found = {
        "country India (hub)": "/id/country/india",
        "city Moscow (hub)": "/id/city/moscow",
        "firm": first("Firm"),
        "meeting": first("Meeting"),
        "programme": programme,
        "delegation": first("Delegation"),
        "generated source page (hub)": source,
        "/timeline": "/timeline",
        "/timeline?country=india": "/timeline?country=india",
        "/timeline?programme=…": f"/timeline?programme={programme.rsplit('/', 1)[-1]}",
        "/timeline?from=2019&to=2019": "/timeline?from=2019&to=2019",
        "/timeline CSV": "/timeline?format=csv",
        "read: bundled source": "/source/india-russia-defence-manufacturing-moscow/read",
        "read: generated source": f"/source/{source.rsplit('/', 1)[-1]}/read",
        "/graph": "/graph",
        "/graph?country=india": "/graph?country=india",
        "profile India–Russia": "/profile/india/russia",
        "class Event, facets": "/class/Event",
        "class Claim, facets": "/class/Claim",
        "class Event, country India": "/class/Event?country=https://w3id.org/defcoop/id/country/india",
        "class Claim, status stated": "/class/Claim?status=https://w3id.org/defcoop/id/epistemic-status/stated",
        "search, facets": "/search?q=forge",
        "search, country India": "/search?q=forge&country=https://w3id.org/defcoop/id/country/india",
        "question: claims by status": "/questions/16-claims-by-status",
        "question: meetings (timeline)": "/questions/02-meetings-where-when",
        "question: India's objectives": "/questions/11-india-objectives",
        "/releases": "/releases",
    }
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="time only the pages whose name contains TEXT (repeatable)")
    args = parser.parse_args()
    time_pages(args.build_dir, args.repeat, args.only)


def time_pages(build_dir: Path, repeat: int, only: list[str] | None = None) -> None:
    """Serve `build_dir` with the response cache off and print each page's median and slowest of `repeat` GETs."""
    release = current_release(build_dir)
    if release is None:
        raise SystemExit("nothing published there")
    targets = {name: path for name, path in pages(build_dir).items()
               if not only or any(text in name for text in only)}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--build-dir", str(build_dir), "--response-cache-mb", "0", "--web-workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    site = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(site + "/sparql", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not come up") from None
                time.sleep(0.2)
        print(f"# release {release.id}: {release.manifest['triples']:,} triples; {time.strftime('%Y-%m-%d')}; "
              f"response cache off, 1 server process; median and slowest of {repeat} GETs\n")
        print(f"{'page':34} {'median ms':>10} {'max ms':>8} {'KB':>6}  path")
        with requests.Session() as session:
            for name, path in targets.items():
                samples, size = [], 0
                for _ in range(repeat):
                    started = time.perf_counter()
                    response = session.get(site + path, timeout=60)
                    samples.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    size = len(response.content)
                print(f"{name:34} {statistics.median(samples):10.1f} {max(samples):8.1f} {size / 1000:6.0f}  {path}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
