"""The first source, read again (issue 10): what its data says is only what the article says, said alike where two
claims say the same thing. Each test fails if one of these data points regresses."""

from __future__ import annotations

from app.store import GraphStore

PREFIXES = """PREFIX defcoop: <https://w3id.org/defcoop/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#>
"""
ID = "https://w3id.org/defcoop/id/"
ARTICLE = ID + "source/india-russia-defence-manufacturing-moscow"
STATUS = ID + "epistemic-status/"


def rows(store: GraphStore, query: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in r.items()} for r in store.select(PREFIXES + query)]


def test_shared_entities_carry_no_description_from_one_article(store: GraphStore) -> None:
    """An entity the curated reference data defines (India, Russia, Moscow) is shared by every source: a description
    one article gives of it belongs to that article's claim, not to the entity for all sources."""
    found = rows(store, f"""
        SELECT ?entity ?description WHERE {{
            ?ref defcoop:epistemicStatus <{STATUS}curated> . GRAPH ?ref {{ ?entity a ?class }}
            GRAPH ?claim {{ ?entity dcterms:description ?description }}
            ?claim prov:wasDerivedFrom <{ARTICLE}> . }}""")
    assert found == []
    on_claim = rows(store, f"""SELECT ?d WHERE {{ <{ID}claim/india-russia-moscow-06> dcterms:description ?d }}""")
    assert len(on_claim) == 1 and "significant defence relationships with multiple countries" in on_claim[0]["d"]


def test_a_generic_sentence_is_said_as_generic_not_as_the_programmes_own_terms(store: GraphStore) -> None:
    """'Such arrangements typically involve …' says what arrangements of the kind typically involve; the data must
    not present it as what this programme involves."""
    found = rows(store, f"""SELECT ?d WHERE {{
        GRAPH <{ID}claim/india-russia-moscow-19> {{ ?p dcterms:description ?d }} }}""")
    assert len(found) == 1
    description = found[0]["d"]
    assert description.startswith("Arrangements of this kind typically involve")
    assert "not what these ones involve" in description


def test_every_event_says_where_it_is_or_that_the_article_does_not_say(store: GraphStore) -> None:
    found = rows(store, """
        SELECT ?event WHERE { ?event a defcoop:Event
            FILTER NOT EXISTS { ?event defcoop:location ?place }
            FILTER NOT EXISTS { ?event defcoop:notStated "location" } }""")
    assert found == []
    december = rows(store, f"""SELECT ?claim WHERE {{ GRAPH ?claim {{
        <{ID}visit/india-russia-bilateral-visit-december> defcoop:notStated "location" }} }}""")
    assert [r["claim"] for r in december] == [f"{ID}claim/india-russia-moscow-10"]  # the sentence that gives it


def test_the_russian_origin_share_keeps_the_articles_words_and_says_no_period_is_given(store: GraphStore) -> None:
    found = rows(store, f"""
        SELECT ?stated ?period ?quote WHERE {{
            GRAPH ?claim {{ <{ID}quantity/india-military-equipment-russian-origin-share>
                defcoop:statedAs ?stated ; defcoop:period ?period }}
            ?claim defcoop:quote ?quote }}""")
    assert len(found) == 1
    assert found[0]["stated"] in found[0]["quote"]  # verbatim
    assert found[0]["stated"] == \
        "approximately 36 percent of its military equipment originating from Russian manufacturers"
    assert found[0]["period"].startswith("none given")


def test_claims_that_name_the_two_nations_agree(store: GraphStore) -> None:
    """'both nations' and 'a bilateral visit' name no nation; both are read as India and Russia. The claims that say
    so are on the same footing, with the same reason and the same countries, and say nothing else."""
    found = rows(store, f"""
        SELECT ?claim ?quote ?status ?rationale ?s ?p ?o WHERE {{
            VALUES ?quote {{ "both nations" "a bilateral visit" }}
            ?claim defcoop:quote ?quote ; defcoop:epistemicStatus ?status ; defcoop:rationale ?rationale ;
                prov:wasDerivedFrom <{ARTICLE}> .
            GRAPH ?claim {{ ?s ?p ?o }} }}""")
    assert {r["quote"] for r in found} == {"both nations", "a bilateral visit"}
    assert {r["status"] for r in found} == {STATUS + "editorial-inference"}
    assert len({r["rationale"] for r in found}) == 1
    countries = {q: {r["o"] for r in found if r["quote"] == q} for q in ("both nations", "a bilateral visit")}
    assert countries["both nations"] == countries["a bilateral visit"] == {ID + "country/india", ID + "country/russia"}
    assert {r["p"].rsplit("#", 1)[-1] for r in found} <= {"participant", "partner"}
    # no stated claim names the nations behind these words
    stated = rows(store, f"""
        SELECT ?claim WHERE {{ ?claim defcoop:epistemicStatus <{STATUS}stated> ; defcoop:quote ?quote
            FILTER(CONTAINS(?quote, "both nations") || CONTAINS(?quote, "bilateral"))
            GRAPH ?claim {{ ?s ?p <{ID}country/russia> }} }}""")
    assert stated == []


def test_inferring_a_year_and_naming_parties_are_separate_claims(store: GraphStore) -> None:
    """An editorial claim carries one inference with its one reason: dates are not mixed with parties."""
    found = rows(store, f"""
        SELECT DISTINCT ?claim ?p WHERE {{ ?claim defcoop:epistemicStatus <{STATUS}editorial-inference> .
            GRAPH ?claim {{ ?s ?p ?o }} }}""")
    kinds: dict[str, set[str]] = {}
    for r in found:
        kinds.setdefault(r["claim"], set()).add("date" if r["p"].endswith(("startDate", "endDate")) else r["p"])
    mixed = {claim: k for claim, k in kinds.items() if "date" in k and len(k) > 1}
    assert mixed == {}
