"""Benchmark: DefCoop serving a release, side by side with `oxigraph serve-read-only` on the same store, in one run
(both read the store's merged default graph for queries without GRAPH).

    python bench/serve.py --build-dir /tmp/b1m [--repeat 15] [--load-seconds 15] [--rdflib]

Prints (never passes or fails):
1. each query of the mix (the competency questions, and entity description, 2-hop join, date range, label search,
   class listing, aggregate) through DefCoop's /sparql and through Oxigraph's own server, medians over POSTs
   (never cached), with the ratio and its geometric mean; with `--rdflib`, also through rdflib in memory over the
   same merged triples (at a size where rdflib finishes: `bench/run.py` uses a smaller release for it);
2. page latencies, p50 and p99: the first request of distinct URLs (nothing cached) and repeats (cached);
3. a mixed load with wrk over loopback (entity HTML and Turtle, class pages, search, competency questions by GET):
   requests per second, latency percentiles, errors.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from rdflib import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config import ROOT, load_settings  # noqa: E402
from app.store import Release, current_release, open_release_store  # noqa: E402

DEFCOOP = "https://w3id.org/defcoop/ontology#"
PREFIX = "PREFIX defcoop: <https://w3id.org/defcoop/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
EXTRA = {
    "entity-description": "SELECT ?p ?o WHERE { <{meeting}> ?p ?o }",
    "two-hop-join": PREFIX + "SELECT ?meeting ?firm ?country WHERE { ?meeting a defcoop:Meeting ; "
                             "defcoop:participant ?firm . ?firm defcoop:country ?country } LIMIT 1000",
    "date-range": PREFIX + "SELECT ?e ?d WHERE { ?e defcoop:startDate ?d FILTER(?d >= \"2019-01-01\"^^"
                           "<http://www.w3.org/2001/XMLSchema#date> && ?d < \"2019-02-01\"^^"
                           "<http://www.w3.org/2001/XMLSchema#date>) }",
    "label-search": PREFIX + "SELECT DISTINCT ?x ?l WHERE { ?x rdfs:label ?l FILTER(CONTAINS(LCASE(?l), \"forge\")) }"
                             " LIMIT 100",
    "class-listing": PREFIX + "SELECT DISTINCT ?x WHERE { ?x a defcoop:Firm } LIMIT 100 OFFSET 1000",
    "aggregate": PREFIX + "SELECT ?country (COUNT(DISTINCT ?firm) AS ?n) WHERE { ?firm a defcoop:Firm ; "
                          "defcoop:country ?country } GROUP BY ?country ORDER BY DESC(?n)",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.mean(map(math.log, values))) if values else float("nan")


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  (n={len(ordered)})"


def sample_iris(build_dir: Path) -> dict[str, list[str]]:
    store = open_release_store(current_release(build_dir))  # type: ignore[arg-type]
    found: dict[str, list[str]] = {}
    for kind in ("Firm", "Meeting", "Programme", "Visit"):
        rows = store.select(f"SELECT DISTINCT ?x WHERE {{ ?x a <https://w3id.org/defcoop/ontology#{kind}> }} "
                            "LIMIT 400")
        found[kind] = [r["x"].value for r in rows]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--load-seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rdflib", action="store_true", help="also time each query in rdflib (small releases)")
    parser.add_argument("--no-pages", action="store_true", help="only the queries: no page latencies, no load")
    args = parser.parse_args()
    compare(args.build_dir, args.repeat, args.load_seconds, args.connections, with_rdflib=args.rdflib,
            pages=not args.no_pages)


def rdflib_graph(release: Release) -> Dataset:
    """The release as DefCoop serves it, in rdflib's memory store: its named graphs, and in the default graph its
    merged triples and its ontology (what a query without GRAPH reads)."""
    dataset = Dataset()
    dataset.parse(release.downloads_dir / "defcoop.nq", format="nquads")
    for name in ("defcoop.nt", "ontology.nt"):
        if (release.downloads_dir / name).exists():
            dataset.default_graph.parse(release.downloads_dir / name, format="nt")
    return dataset


def compare(build_dir: Path, repeat: int, load_seconds: int, connections: int, *, with_rdflib: bool = False,
            pages: bool = True) -> None:
    settings = load_settings({"build_dir": build_dir})
    release = current_release(settings.build_dir)
    if release is None:
        raise SystemExit("nothing published there")
    iris = sample_iris(settings.build_dir)
    base = settings.id_prefix
    last_pages = {kind: max(1, math.ceil(release.manifest["classes"].get(DEFCOOP + kind, 0) / settings.page_link_limit))
                  for kind in ("Firm", "Meeting", "Programme")}  # class pages past the last one answer 404
    started = time.perf_counter()
    memory = rdflib_graph(release) if with_rdflib else None
    rdflib_load_s = time.perf_counter() - started

    ours_port, ox_port = free_port(), free_port()
    ours = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(ours_port),
                             "--build-dir", str(build_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peer = subprocess.Popen([shutil.which("oxigraph") or "oxigraph", "serve-read-only", "--location",
                             str(release.store_path), "--bind", f"127.0.0.1:{ox_port}"],  # its default graph: merged
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    site, oxi = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{ox_port}"
    try:
        wait_for(site + "/sparql")
        wait_for(oxi + "/query")
        print(f"# release {release.id}: {release.manifest['triples']:,} triples, {release.manifest['quads']:,} quads; "
              f"{time.strftime('%Y-%m-%d')}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}"
              " cores\n")
        queries = {p.stem: p.read_text(encoding="utf-8")
                   for p in sorted((ROOT / "ontology" / "competency-questions").glob("*.rq"))}
        queries |= {name: q.replace("{meeting}", iris["Meeting"][0]) for name, q in EXTRA.items()}
        print(f"## /sparql vs oxigraph serve (median of {repeat} POSTs, ms)"
              + (f"; rdflib in memory (median of {max(3, repeat // 5)}, {rdflib_load_s:.1f} s to load)"
                 if memory is not None else ""))
        print(f"{'query':32} {'defcoop':>9} {'oxigraph':>9} {'ratio':>7}"
              + (f" {'rdflib':>10} {'rdflib/defcoop':>15}" if memory is not None else ""))
        ratios, rdflib_ratios = [], []
        headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
        with requests.Session() as session:
            for name, query in queries.items():
                try:
                    a = median_ms(lambda: session.post(site + "/sparql", data=query.encode(),  # noqa: B023
                                                       headers=headers, timeout=60).raise_for_status(), repeat)
                except requests.HTTPError as exc:
                    print(f"{name:32} {'refused':>9} ({exc.response.status_code}: {exc.response.text.strip()[:70]})")
                    continue
                try:
                    b = median_ms(lambda: session.post(oxi + "/query", data=query.encode(),  # noqa: B023
                                                       headers=headers, timeout=60).raise_for_status(), repeat)
                except requests.RequestException as exc:
                    print(f"{name:32} {a:9.2f} {'failed':>9} ({type(exc).__name__})")
                    continue
                ratios.append(a / b)
                line = f"{name:32} {a:9.2f} {b:9.2f} {a / b:7.2f}"
                if memory is not None:
                    c = median_ms(lambda: list(memory.query(query)), max(3, repeat // 5))  # noqa: B023
                    rdflib_ratios.append(c / a)
                    line += f" {c:10.1f} {c / a:15.1f}"
                print(line)
        print(f"{'geometric mean':32} {'':9} {'':9} {geometric_mean(ratios):7.2f}"
              + (f" {'':10} {geometric_mean(rdflib_ratios):15.1f}" if rdflib_ratios else "") + "\n")
        if not pages:
            return
        print("## pages (first request of distinct URLs: nothing cached; then the same URLs again: cached)")
        pages = {
            "firm page": [base + "firm/" + x.rsplit("/", 1)[1] for x in iris["Firm"][:150]],
            "meeting page": [base + "meeting/" + x.rsplit("/", 1)[1] for x in iris["Meeting"][:150]],
            "hub: status 'stated'": [base + "epistemic-status/stated"],
            "hub: Moscow": [base + "city/moscow"],
            "hub: India": [base + "country/india"],
        }
        with requests.Session() as session:
            for label, urls in pages.items():
                local = [u.replace(base, site + "/id/") for u in urls]
                cold = [timed_get(session, u, {"Accept": "text/html"}) for u in local]
                warm = [timed_get(session, u, {"Accept": "text/html"}) for u in local * max(1, 60 // len(local))]
                print(f"{label:24} cold {percentiles(cold)}   cached {percentiles(warm)}")
            deep = min(60, last_pages["Firm"])
            for label, path in (("class page 1", "/class/Firm"), (f"class page {deep}", f"/class/Firm?page={deep}"),
                                ("search hit", "/search?q=forge"), ("search no hit", "/search?q=zzqx")):
                joiner = "&" if "?" in path else "?"
                cold = [timed_get(session, f"{site}{path}{joiner}_={n}", {}) for n in range(30)]
                print(f"{label:24} cold {percentiles(cold)}")
        print()
        load(site, iris, base, load_seconds, connections, last_pages)
    finally:
        for process in (ours, peer):
            process.terminate()
            process.wait(20)


def timed_get(session: requests.Session, url: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    session.get(url, headers=headers, timeout=60).raise_for_status()
    return time.perf_counter() - started


def load(site: str, iris: dict[str, list[str]], base: str, seconds: int, connections: int,
         last_pages: dict[str, int]) -> None:
    """wrk over a rotating list of requests (a Lua script), after one pass that warms the response cache."""
    if shutil.which("wrk") is None:
        print("## load: wrk is not installed (apt-get install wrk)")
        return
    paths = []
    for kind in ("Firm", "Meeting", "Programme", "Visit"):
        for iri in iris[kind][:50]:
            local = "/id/" + iri.removeprefix(base)
            paths += [(local, "text/html"), (local, "text/turtle")]
    paths += [(f"/class/{k}?page={n}", "text/html") for k in ("Firm", "Meeting", "Programme")
              for n in range(1, min(10, last_pages[k]) + 1)]
    paths += [(f"/search?q={requests.utils.quote(q)}", "text/html")
              for q in ("forge", "naval", "works 1", "moscow", "delegation")]
    for path in sorted((ROOT / "ontology" / "competency-questions").glob("*.rq")):
        paths.append(("/sparql?query=" + requests.utils.quote(path.read_text(encoding="utf-8")),
                      "application/sparql-results+json"))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mix.lua"
        entries = ",\n".join(f'{{"{p}", "{a}"}}' for p, a in paths)
        script.write_text(f"""
local requests = {{ {entries} }}
local i = 0
request = function()
  i = (i % #requests) + 1
  return wrk.format("GET", requests[i][1], {{ ["Accept"] = requests[i][2] }})
end
""", encoding="utf-8")
        with requests.Session() as session:
            for path, accept in paths:  # the first pass of each URL is the uncached cost, measured above; not
                # taking gzip, as wrk does not: the response cache keys by whether a client takes it
                session.get(site + path, headers={"Accept": accept, "Accept-Encoding": None}, timeout=60)
        result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                                 site], capture_output=True, text=True, timeout=seconds + 60)
    out = result.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    latency = {p: re.search(rf"\s{p}%\s+(\S+)", out) for p in ("50", "90", "99")}
    print(f"## mixed load: wrk, {connections} connections, {seconds} s, {len(paths)} distinct requests (cached)")
    failed = socket_errors.group(1) if socket_errors else 0
    print(f"requests/s {rate.group(1) if rate else '?'}; latency "
          + ", ".join(f"p{p} {m.group(1) if m else '?'}" for p, m in latency.items())
          + f"; non-2xx {errors.group(1) if errors else 0}; socket errors {failed}")


if __name__ == "__main__":
    main()
