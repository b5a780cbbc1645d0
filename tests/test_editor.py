"""The editor's workflow end to end, as an editor runs it: `defcoop new-source` records a new source and writes a
skeleton, `defcoop lookup` gives the IRIs to use, the filled skeleton validates and builds, and the build refuses a
text that changed after it was recorded."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app.config import ROOT, load_settings
from app.store import current_release, open_release_store
from app.texts import sentences
from tests.conftest import defcoop_command

EXAMPLE = ROOT / "tests" / "fixtures" / "editor" / "engine-talks-new-delhi.txt"
SLUG = "engine-talks-new-delhi"
BASE = "https://w3id.org/defcoop/"


def defcoop(*args: str | Path, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([defcoop_command(), *map(str, args), "--data-dir", str(folder / "data"),
                           "--build-dir", str(folder / "build")], capture_output=True, text=True, timeout=300)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


def test_new_source_records_the_text_as_received_with_a_skeleton_that_validates(workspace: Path) -> None:
    made = defcoop("new-source", EXAMPLE, "--title", "Engine talks in New Delhi", "--publisher", "Example Wire",
                   "--date", "2026-03-04", folder=workspace)
    assert made.returncode == 0, made.stderr
    text_file = workspace / "data" / "sources" / f"{SLUG}.txt"
    facts = (workspace / "data" / "facts" / f"{SLUG}.trig").read_text(encoding="utf-8")
    assert text_file.read_bytes() == EXAMPLE.read_bytes()
    assert f'defcoop:textSha256 "{hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()}"' in facts
    assert 'dcterms:publisher "Example Wire"' in facts and '"2026-03-04"^^xsd:date' in facts
    assert 'defcoop:unknown "original URL"' in facts  # what was not given is recorded as unknown
    text = EXAMPLE.read_text(encoding="utf-8")
    numbered = re.findall(r"^# Sentence (\d+) \[(\d+)–(\d+)\]: (.*)$", facts, flags=re.M)
    assert [int(n) for n, *_ in numbered] == [1, 2, 3]
    for _, start, end, sentence in numbered:
        assert text[int(start):int(end)] == sentence  # offsets in characters, as the text is read
    assert numbered[2][3] == "Both sides said a framework agreement could follow “within months”."
    checked = defcoop("validate", workspace / "data" / "facts" / f"{SLUG}.trig", folder=workspace)
    assert checked.returncode == 0, checked.stderr


def test_new_source_refuses_to_overwrite_a_recorded_source_and_names_bad_input(workspace: Path) -> None:
    assert defcoop("new-source", EXAMPLE, "--title", "T", folder=workspace).returncode == 0
    again = defcoop("new-source", EXAMPLE, "--title", "T", folder=workspace)
    assert again.returncode == 1 and f"{SLUG}.txt already exists" in again.stderr
    bad_date = defcoop("new-source", EXAMPLE, "--title", "T", "--slug", "other", "--date", "2026-02-30",
                       folder=workspace)
    assert bad_date.returncode == 1 and "'2026-02-30' is not a day of the calendar" in bad_date.stderr
    assert not (workspace / "data" / "sources" / "other.txt").exists()  # nothing half-recorded


def test_lookup_gives_published_entities_with_their_identifiers_then_gazetteer_places(workspace: Path) -> None:
    assert defcoop("build", folder=workspace).returncode == 0
    moscow = defcoop("lookup", "Moscow", folder=workspace)
    assert moscow.returncode == 0
    first = moscow.stdout.split("\n")[:4]
    assert first[0] == f"{BASE}id/city/moscow" and "in DefCoop" in first[1]
    assert "    same as http://www.wikidata.org/entity/Q649" in first
    assert "    same as https://sws.geonames.org/524901/" in first
    assert moscow.stdout.count("sws.geonames.org/524901/") == 1  # the gazetteer's Moscow is the published one
    france = defcoop("lookup", "France", folder=workspace).stdout
    assert f"{BASE}id/country/france\n    France — Country (ISO 3166), not in DefCoop yet" in france
    assert "ISO 3166: FR / FRA" in france and "same as https://sws.geonames.org/3017382/" in france
    delhi = defcoop("lookup", "New Delhi", folder=workspace).stdout
    assert f"{BASE}id/city/new-delhi" in delhi and "GeoNames id: 1261481" in delhi and "geo:lat: 28.6" in delhi
    nothing = defcoop("lookup", "zzqx", folder=workspace)
    assert nothing.returncode == 1 and "nothing found for 'zzqx'" in nothing.stdout


def test_an_editor_fills_the_skeleton_and_the_build_publishes_the_claim(workspace: Path) -> None:
    assert defcoop("new-source", EXAMPLE, "--title", "Engine talks in New Delhi", folder=workspace).returncode == 0
    city = defcoop("lookup", "New Delhi", folder=workspace).stdout
    new_delhi = next(line for line in city.splitlines() if line.endswith("/id/city/new-delhi"))
    facts_file = workspace / "data" / "facts" / f"{SLUG}.trig"
    facts = facts_file.read_text(encoding="utf-8")
    quote = sentences(EXAMPLE.read_text(encoding="utf-8"))[0].text
    # the editor's part: uncomment sentence 1's claim, write its facts, keep the quote verbatim
    claim = (f"claim:{SLUG}-01 {{\n"
             f"    <{BASE}id/meeting/french-indian-engine-talks> a defcoop:Meeting ;\n"
             '        rdfs:label "Talks of French and Indian engine makers in New Delhi, 3 March"@en ;\n'
             f"        defcoop:location <{new_delhi}> ;\n"
             '        defcoop:statedStartDay "--03-03"^^xsd:gMonthDay .\n'
             f'    <{new_delhi}> a defcoop:City ; rdfs:label "New Delhi"@en ;\n'
             f"        defcoop:inCountry <{BASE}id/country/india> .\n"
             "}\n"
             f"provenance:{SLUG} {{\n"
             f"    claim:{SLUG}-01 a defcoop:Claim ;\n"
             f"        prov:wasDerivedFrom source:{SLUG} ;\n"
             f'        defcoop:quote "{quote}" ;\n'
             "        defcoop:epistemicStatus epistemic-status:stated .\n"
             "}\n")
    facts = re.sub(rf"# claim:{SLUG}-01 \{{\n# \}}\n# provenance:{SLUG} \{{\n(#.*\n)+?# \}}\n", lambda _: claim,
                   facts, count=1)
    assert claim in facts
    facts_file.write_text(facts, encoding="utf-8")
    assert defcoop("validate", facts_file, folder=workspace).returncode == 0
    built = defcoop("build", folder=workspace)
    assert built.returncode == 0, built.stderr
    release = current_release(load_settings({"build_dir": workspace / "build"}, environ={}).build_dir)
    assert release is not None
    rows = open_release_store(release).select(
        f"SELECT ?quote ?city WHERE {{ <{BASE}id/claim/{SLUG}-01> <{BASE}ontology#quote> ?quote . "
        f"GRAPH <{BASE}id/claim/{SLUG}-01> {{ ?meeting <{BASE}ontology#location> ?city }} }}")
    assert [(r["quote"].value, r["city"].value) for r in rows] == [(quote, new_delhi)]


def test_a_source_text_changed_after_it_was_recorded_is_refused(workspace: Path) -> None:
    assert defcoop("new-source", EXAMPLE, "--title", "T", folder=workspace).returncode == 0
    text_file = workspace / "data" / "sources" / f"{SLUG}.txt"
    text_file.write_text(EXAMPLE.read_text(encoding="utf-8").replace("March 3", "March 4"), encoding="utf-8")
    checked = defcoop("validate", workspace / "data" / "facts" / f"{SLUG}.trig", folder=workspace)
    assert checked.returncode == 1
    assert f"the text of <{BASE}id/source/{SLUG}> changed since it was recorded" in checked.stderr
    assert f"{SLUG}.trig" in checked.stderr and "restore the text exactly as received" in checked.stderr


def test_the_editors_guide_worked_example_validates(workspace: Path) -> None:
    """docs/editing.md's reference claim for New Delhi and its claim for sentence 1, put where the guide says, are
    valid as written."""
    guide = (ROOT / "docs" / "editing.md").read_text(encoding="utf-8")
    place = guide.split("## 2. Find the IRIs to use", 1)[1].split("```turtle\n", 1)[1].split("```", 1)[0]
    claim = guide.split("## 3. Write the claims", 1)[1].split("```turtle\n", 1)[1].split("```", 1)[0]
    assert "claim:reference-new-delhi {" in place and f"claim:{SLUG}-01 {{" in claim
    with (workspace / "data" / "facts" / "defcoop-reference.trig").open("a", encoding="utf-8") as reference:
        reference.write("\n" + place)
    assert defcoop("new-source", EXAMPLE, "--title", "Engine talks in New Delhi", folder=workspace).returncode == 0
    facts_file = workspace / "data" / "facts" / f"{SLUG}.trig"
    skeleton = facts_file.read_text(encoding="utf-8")
    facts = re.sub(rf"# claim:{SLUG}-01 \{{\n# \}}\n# provenance:{SLUG} \{{\n(#.*\n)+?# \}}\n", lambda _: claim,
                   skeleton, count=1)
    assert facts != skeleton
    facts_file.write_text(facts, encoding="utf-8")
    checked = defcoop("validate", facts_file, folder=workspace)
    assert checked.returncode == 0, checked.stderr


LOOK_ALIKE = """@prefix defcoop: <https://w3id.org/defcoop/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix claim: <https://w3id.org/defcoop/id/claim/> .
claim:look-alike-01 {
    <https://w3id.org/defcoop/id/country/republic-of-india> a defcoop:Country ; rdfs:label "india"@en .
    <https://w3id.org/defcoop/id/city/moskva> a defcoop:City ; rdfs:label "Moskva"@en ;
        defcoop:inCountry <https://w3id.org/defcoop/id/country/russia> ;
        skos:exactMatch <https://sws.geonames.org/524901/> .
    <https://w3id.org/defcoop/id/city/india> a defcoop:City ; rdfs:label "India"@en ;
        defcoop:inCountry <https://w3id.org/defcoop/id/country/india> .
}
<https://w3id.org/defcoop/graph/provenance/look-alike> {
    claim:look-alike-01 a defcoop:Claim ; prov:wasDerivedFrom <https://w3id.org/defcoop/id/source/defcoop-reference> ;
        defcoop:epistemicStatus <https://w3id.org/defcoop/id/epistemic-status/curated> ;
        defcoop:rationale "Places that look like places DefCoop already has." .
}
"""


def test_the_build_warns_of_entities_that_look_like_duplicates_with_both_locations(workspace: Path) -> None:
    """Same label in the same class, or the same identifier elsewhere, under two IRIs: a warning naming the file
    and line of each; the build still publishes. A city and a country may share a name."""
    extra = workspace / "data" / "facts" / "look-alike.trig"
    extra.write_text(LOOK_ALIKE, encoding="utf-8")
    built = defcoop("build", folder=workspace)
    assert built.returncode == 0, built.stderr
    assert "2 warnings (published all the same):" in built.stderr
    reference = workspace / "data" / "facts" / "defcoop-reference.trig"
    same_label = next(line for line in built.stderr.splitlines() if "with the same label 'india'" in line)
    assert f"<{BASE}id/country/india> ({reference}:" in same_label
    assert f"<{BASE}id/country/republic-of-india> ({extra}:5)" in same_label
    same_id = next(line for line in built.stderr.splitlines() if "same identifier <https://sws.geonames.org/524901/>"
                   in line)
    assert f"<{BASE}id/city/moscow> ({reference}:" in same_id and f"<{BASE}id/city/moskva> ({extra}:6)" in same_id
    assert f"{BASE}id/city/india>" not in built.stderr  # a city called India is not the country
    checked = defcoop("validate", extra, folder=workspace)
    assert checked.returncode == 0 and "2 warnings (valid all the same):" in checked.stderr
