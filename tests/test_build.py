"""`defcoop build` / `defcoop validate` as a data editor runs them: summaries, located errors, atomic publishing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.pipeline.publish import Published

FACTS = "facts/india-russia-defence-manufacturing-moscow.trig"


def defcoop(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=300)


def edit(data: Path, old: str, new: str, name: str = FACTS) -> None:
    path = data / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("published")
    result = defcoop("build", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    return build_dir


def current(build_dir: Path) -> tuple[Path, str]:
    link = build_dir / "current"
    return link.resolve(), (link / "manifest.json").read_text()


def test_build_prints_a_summary(tmp_path: Path) -> None:
    result = defcoop("build", "--build-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert re.search(r"built \d+ triples .* \d+ claims from \d+ files in [\d.]+s", result.stdout)
    assert "Meeting 1" in result.stdout and "Delegation 1" in result.stdout
    assert str(tmp_path) in result.stdout
    manifest = json.loads((tmp_path / "current" / "manifest.json").read_text())
    assert manifest["claims"] >= 25
    assert (tmp_path / "current" / "store").is_dir()


BAD_INPUTS = {
    "malformed turtle": (
        'defcoop:location city:moscow ;', 'defcoop:location city:moscow ;;;; "', "syntax", r":\d+:\d+: \[syntax\]"),
    "shape violation": (
        "defcoop:value 36 ;", "defcoop:value 136 ;", "shape", "QuantitativeFactShape"),
    "quote not in source": (
        '"India ranks among the largest importers of military equipment globally."',
        '"India ranks first among importers of military equipment globally."', "quote", "closest sentence"),
    "undeclared predicate": (
        "defcoop:ledBy person:sanjeev-kumar", "defcoop:ledby person:sanjeev-kumar", "vocabulary",
        "did you mean <https://w3id.org/defcoop/ontology#ledBy>"),
    "undeclared class": (
        "a defcoop:Delegation ;", "a defcoop:Delegaton ;", "vocabulary", "undeclared class"),
    "individual in two disjoint classes": (
        "post:defence-production-secretary a defcoop:Post ;",
        "post:defence-production-secretary a defcoop:Post, defcoop:Person ;", "reasoner",
        "both a Person and a Post"),
    "claim without a source": (
        "claim:india-russia-moscow-12 a defcoop:Claim ;\n        prov:wasDerivedFrom "
        "source:india-russia-defence-manufacturing-moscow ;",
        "claim:india-russia-moscow-12 a defcoop:Claim ;", "shape", "ClaimShape"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_fails_located_and_keeps_previous_publication(
    case: str, good_build: Path, data_copy: Path
) -> None:
    old, new, check, detail = BAD_INPUTS[case]
    edit(data_copy, old, new)
    before = current(good_build)
    result = defcoop("build", "--build-dir", str(good_build), "--data-dir", str(data_copy))
    assert result.returncode != 0
    assert "nothing was published" in result.stderr
    assert f"[{check}]" in result.stderr
    assert re.search(detail, result.stderr), result.stderr
    assert re.search(re.escape(FACTS.split("/")[-1]) + r":\d+", result.stderr), "error names file and line"
    assert "fix:" in result.stderr or check == "syntax"
    assert current(good_build) == before, "the previous publication must keep serving"
    assert not list((good_build / "releases").glob("*.staging")), "no half-written release is left"


def test_validate_checks_a_candidate_without_publishing(tmp_path: Path, data_copy: Path) -> None:
    candidate = tmp_path / "candidate.trig"
    candidate.write_text((data_copy / FACTS).read_text(encoding="utf-8").replace(
        "defcoop:ledBy person:sanjeev-kumar", "defcoop:ledBy country:russia"), encoding="utf-8")
    candidate = candidate.rename(tmp_path / Path(FACTS).name)
    result = defcoop("validate", str(candidate), "--build-dir", str(tmp_path / "build"))
    assert result.returncode != 0
    assert "DelegationShape" in result.stderr
    assert not (tmp_path / "build").exists()
    good = defcoop("validate", str(data_copy / FACTS), "--build-dir", str(tmp_path / "build"))
    assert good.returncode == 0, good.stderr
    assert "valid:" in good.stdout and not (tmp_path / "build").exists()


def test_published_store_has_claim_graphs_provenance_and_inferences(published: Published) -> None:
    m = published.manifest
    assert m["inferred_triples"] > 0
    assert m["graphs"] == m["claims"] + 2 + 1 + 2  # claims, provenance ×2, inferred, ontology + concepts
    for name in ("defcoop.ttl", "defcoop.nt", "defcoop.jsonld", "defcoop.rdf", "defcoop.trig", "defcoop.nq",
                 "ontology.ttl", "shapes.ttl"):
        assert (published.release.downloads_dir / name).stat().st_size == m["downloads"][name]["bytes"]


def test_two_builds_within_one_second_both_publish(tmp_path: Path) -> None:
    """Regression: the second build's staging folder took the committed release's name and could not commit."""
    from app.config import load_settings
    from app.pipeline import build

    settings = load_settings({"build_dir": tmp_path}, environ={})
    first = build(settings)
    second = build(settings)
    assert first.release.path != second.release.path
    assert (tmp_path / "current").resolve() == second.release.path
