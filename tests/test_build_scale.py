"""The build at size: reproducible dumps, per-file caching, SHACL per file with the context of other files,
SHACL compiled to SPARQL agreeing with pySHACL, progress a user can follow."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rdflib import Graph

from app.config import ROOT, load_settings
from app.pipeline import BuildFailed, Progress, build
from app.pipeline.validate import ShapeChecker
from bench.generate import generate

FIXTURES = ROOT / "tests" / "fixtures" / "shapes"


def settings(data: Path, build_dir: Path):  # type: ignore[no-untyped-def]
    return load_settings({"data_dir": data, "build_dir": build_dir}, environ={})


@pytest.fixture(scope="module")
def generated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("gen") / "data"
    generate(data, 6_000, claims_per_source=100)
    return data


def checksums(build_dir: Path) -> dict[str, str]:
    manifest = json.loads((build_dir / "current" / "manifest.json").read_text())
    return {name: (d["sha256"], d["gzip"]["sha256"]) for name, d in manifest["downloads"].items()}


def test_same_inputs_give_byte_identical_dumps(generated_data: Path, tmp_path: Path) -> None:
    build(settings(generated_data, tmp_path / "one"))
    build(settings(generated_data, tmp_path / "two"))
    first, second = checksums(tmp_path / "one"), checksums(tmp_path / "two")
    assert first == second
    for name, (sha, _) in first.items():  # the manifest tells the truth about the files
        import hashlib
        assert hashlib.sha256((tmp_path / "one" / "current" / "downloads" / name).read_bytes()).hexdigest() == sha


def stage_notes(progress: Progress) -> dict[str, str]:
    return {s.name: s.note for s in progress.stages}


def test_a_rebuild_reads_again_only_the_file_that_changed(generated_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(generated_data, data)
    files = sorted((data / "facts").glob("*.trig"))
    first = build(settings(data, tmp_path / "build"))
    again = Progress(quiet=True)
    build(settings(data, tmp_path / "build"), again)
    assert stage_notes(again)["parse"] == f"{len(files)} cached"
    assert stage_notes(again)["shacl"] == f"{len(files) + 1} cached"

    changed = data / "facts" / "generated-00001.trig"
    changed.write_text(changed.read_text(encoding="utf-8").replace(
        'rdfs:label "Official 1-1"@en', 'rdfs:label "Official 1-1 (renamed)"@en'), encoding="utf-8")
    edited = Progress(quiet=True)
    second = build(settings(data, tmp_path / "build"), edited)
    assert stage_notes(edited)["parse"] == f"{len(files) - 1} cached"
    assert stage_notes(edited)["shacl"] == f"{len(files)} cached"
    assert second.manifest["triples"] == first.manifest["triples"]
    assert second.manifest["downloads"]["defcoop.nt"]["sha256"] != first.manifest["downloads"]["defcoop.nt"]["sha256"]


CROSS_FILE = """@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix meeting: <https://w3id.org/defcoop/id/meeting/> .
@prefix delegation: <https://w3id.org/defcoop/id/delegation/> .
@prefix country: <https://w3id.org/defcoop/id/country/> .
@prefix city: <https://w3id.org/defcoop/id/city/> .
@prefix source: <https://w3id.org/defcoop/id/source/> .
<https://w3id.org/defcoop/id/claim/cross-{n}> {{ {facts} }}
<https://w3id.org/defcoop/graph/provenance/cross-{n}> {{
  source:cross-{n} a defcoop:Source ; dcterms:title "Cross {n}"@en .
  <https://w3id.org/defcoop/id/claim/cross-{n}> a defcoop:Claim ; prov:wasDerivedFrom source:cross-{n} ;
    defcoop:epistemicStatus <https://w3id.org/defcoop/id/epistemic-status/curated> ; defcoop:rationale "test" .
}}
"""


def cross_file_data(tmp_path: Path, first: str, second: str) -> Path:
    data = tmp_path / "data"
    (data / "facts").mkdir(parents=True)
    (data / "sources").mkdir()
    for n, facts in enumerate((first, second)):
        (data / "facts" / f"cross-{n}.trig").write_text(CROSS_FILE.format(n=n, facts=facts), encoding="utf-8")
    return data


MEETING = ('meeting:m a defcoop:Meeting ; rdfs:label "M"@en . '
           'delegation:d a defcoop:Delegation ; rdfs:label "D"@en ; defcoop:country country:atlantis .')


def test_shacl_per_file_sees_what_other_files_state(tmp_path: Path) -> None:
    """The meeting's location (stated backwards) and the country's type are in the other file: valid."""
    other = ('country:atlantis a defcoop:Country ; rdfs:label "Atlantis"@en . '
             'city:x a defcoop:City ; rdfs:label "X"@en ; defcoop:inCountry country:atlantis ; '
             'defcoop:locationOf meeting:m .')
    build(settings(cross_file_data(tmp_path, MEETING, other), tmp_path / "build"))


@pytest.mark.parametrize("other, shape", [
    ('country:atlantis a defcoop:Country ; rdfs:label "Atlantis"@en .', "MeetingShape"),
    ('country:atlantis a defcoop:City ; rdfs:label "Atlantis"@en . '
     'city:x a defcoop:City ; rdfs:label "X"@en ; defcoop:locationOf meeting:m .', "EntityShape"),
], ids=["location-missing", "country-typed-otherwise-elsewhere"])
def test_shacl_per_file_finds_what_only_other_files_reveal(tmp_path: Path, other: str, shape: str) -> None:
    with pytest.raises(BuildFailed) as failed:
        build(settings(cross_file_data(tmp_path, MEETING, other), tmp_path / "build"))
    shapes = {p.shape.split(" ")[0] for p in failed.value.problems if p.check == "shape"}
    assert shape in shapes, failed.value.report()
    located = [p for p in failed.value.problems if p.shape and p.shape.startswith(shape)]
    assert all(p.file and p.file.name == "cross-0.trig" and p.line for p in located), failed.value.report()


def results_by_component(found: list) -> set[tuple[str, str, str | None, str | None]]:  # type: ignore[type-arg]
    return {(str(v.focus), v.shape, v.component, None if v.value is None else str(v.value)) for v in found}


@pytest.fixture(scope="module")
def shapes_and_ontology() -> tuple[Graph, Graph]:
    shapes, ontology = Graph(), Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        ontology.parse(path)
    return shapes, ontology


def test_every_shape_of_defcoop_is_compiled_to_sparql(shapes_and_ontology: tuple[Graph, Graph]) -> None:
    checker = ShapeChecker(*shapes_and_ontology)
    assert checker.core is None, "a constraint fell back to pySHACL: compile it or accept the cost at scale"
    assert len(checker.compiled) >= 60


ALL_FIXTURES = sorted((FIXTURES / "invalid").glob("*.ttl")) + sorted((FIXTURES / "valid").glob("*.ttl"))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_compiled_constraints_give_pyshacls_results(path: Path, shapes_and_ontology: tuple[Graph, Graph]) -> None:
    """Each result (focus node, shape, component, value) of the compiled queries is pySHACL's, and no other."""
    import pyshacl
    from rdflib.namespace import SH

    from app.pipeline.validate import _from_report

    shapes, ontology = shapes_and_ontology
    data = Graph().parse(path)
    checker = ShapeChecker(shapes, ontology)
    compiled = results_by_component([v for v in checker.check_graph(data)
                                     if v.component != "SPARQLConstraintComponent"])
    _, report, _ = pyshacl.validate(data + ontology, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                    advanced=True, allow_warnings=True)
    expected = results_by_component([v for v in (_from_report(shapes, report, r)
                                                 for r in report.subjects(SH.resultSeverity, SH.Violation))
                                     if v.component not in (None, "SPARQLConstraintComponent")])
    assert compiled == expected


def test_build_shows_progress_and_a_closing_table(tmp_path: Path) -> None:
    """Not on a terminal (CI, logs): plain lines per stage, then a table of seconds and triples per stage."""
    result = subprocess.run([sys.executable, "-m", "app.cli", "build", "--build-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for stage in ("ontology", "parse", "load", "checks", "shacl", "reason", "publish"):
        assert f"{stage}: started" in result.stderr and f"{stage}: done" in result.stderr
    table = result.stdout.splitlines()
    assert table[0].split() == ["stage", "seconds", "items", "triples"]
    assert any(line.startswith("total") for line in table)


def test_publishing_says_how_far_it_has_got_not_only_when_it_is_done(generated_data: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: at 10M triples publishing ran 7 minutes between "publish: started" and its one count. Now it
    tells each chunk written (at most a line every PLAIN_EVERY_S seconds, here every time), the dumps, the indexes."""
    monkeypatch.setattr("app.pipeline.progress.PLAIN_EVERY_S", 0.0)
    stream = io.StringIO()
    published = build(settings(generated_data, tmp_path / "build"), Progress(stream=stream))
    files = len(published.release.manifest["downloads"])
    lines = stream.getvalue().splitlines()
    publishing = lines[lines.index("publish: started") + 1:]
    publishing = publishing[:next(i for i, line in enumerate(publishing) if line.startswith("publish: done"))]
    sources = len(list((generated_data / "facts").glob("*.trig")))
    chunks = [line for line in publishing if "dump chunks written" in line]
    assert len(chunks) == sources + 1  # 0 of them (when the writing begins), then each
    assert chunks[0].startswith(f"publish: 0 of {sources} ")
    assert chunks[-1].startswith(f"publish: {sources} of {sources} ")
    assert any(f"of {sources} nanopublication chunks written" in line for line in publishing)
    done = [line for line in publishing if " done (" in line]  # each dump file and the store, as they are done
    assert len(done) == files + 1 and f" done ({files + 1} of {files + 1})" in done[-1]
    assert any(line.startswith("publish: the store done") for line in done)
    assert any(line.startswith("publish: defcoop.nq done") for line in done)
    assert any(line.startswith(f"publish: {files} dump files written, store loaded") for line in publishing)
    assert any(line.startswith("publish: indexes written whole") for line in publishing)


def test_progress_bars_on_a_terminal_start_no_thread_so_publishing_can_fork_its_workers() -> None:
    """Regression: tqdm starts a monitor thread with its first bar, and publishing falls back to one process
    where another thread runs (a fork copies only the thread that forks)."""
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    before = set(threading.enumerate())
    progress = Progress(stream=Terminal())
    assert progress.tty
    with progress.stage("parse", total=3, unit="files") as tick:
        tick.advance(1, 10)
    assert set(threading.enumerate()) - before == set()


def test_a_build_on_a_terminal_publishes_with_its_worker_processes(tmp_path: Path) -> None:
    """What a user at a terminal runs: bars, and publishing still forks its workers (see the test above)."""
    terminal, end = os.openpty()
    build_process = subprocess.Popen([sys.executable, "-m", "app.cli", "build", "--build-dir", str(tmp_path)],
                                     stdout=end, stderr=end, env={**os.environ, "DEFCOOP_BUILD_WORKERS": "2"})
    os.close(end)
    shown = b""
    while True:
        try:
            data = os.read(terminal, 65536)
        except OSError:  # the build closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(terminal)
    assert build_process.wait(timeout=300) == 0, shown.decode(errors="replace")
    assert b"store loaded, 2 worker processes" in shown


def test_a_build_after_the_shapes_changed_uses_the_new_shapes(tmp_path: Path) -> None:
    """Regression: small builds check in the build's own process, which kept the shapes of its first build."""
    build(load_settings({"build_dir": tmp_path / "one"}, environ={}))
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    strict = shapes / "person.ttl"
    strict.write_text(strict.read_text(encoding="utf-8").replace(
        "defcoop-sh:PersonShape\n    a sh:NodeShape ;",
        "defcoop-sh:PersonShape\n    a sh:NodeShape ;\n    sh:property [ sh:path defcoop:holdsPost ; sh:maxCount 0 ;"
        " sh:message \"test: no posts\" ] ;"), encoding="utf-8")
    with pytest.raises(BuildFailed, match="test: no posts"):
        build(load_settings({"build_dir": tmp_path / "two", "shapes_dir": shapes}, environ={}))


def test_a_source_text_added_after_a_failed_build_is_seen(tmp_path: Path) -> None:
    """Regression: a file's cached result kept saying its source text was missing after the text was added."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = data / "sources" / "india-russia-defence-manufacturing-moscow.txt"
    kept = text.read_bytes()
    text.unlink()
    with pytest.raises(BuildFailed, match="does not exist"):
        build(settings(data, tmp_path / "build"))
    text.write_bytes(kept)
    build(settings(data, tmp_path / "build"))


def test_the_cache_still_serves_after_the_project_moved(tmp_path: Path) -> None:
    """Regression: cached results named their files by absolute path, so a moved build folder crashed the build."""
    first = build(settings(ROOT / "data", tmp_path / "one" / "build"))
    shutil.move(tmp_path / "one", tmp_path / "two")
    again = Progress(quiet=True)
    second = build(settings(ROOT / "data", tmp_path / "two" / "build"), again)
    assert stage_notes(again)["parse"] == "2 cached"
    assert second.manifest["downloads"]["defcoop.nq"]["sha256"] == first.manifest["downloads"]["defcoop.nq"]["sha256"]
