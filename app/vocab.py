"""The one place DefCoop's ontology IRIs and graph names are spelled. A typo fails on attribute access."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = URIRef("https://w3id.org/defcoop/ontology")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class DEFCOOP(DefinedNamespace):
    """DefCoop ontology terms (ontology/defcoop.ttl); tests check this list against the ontology."""

    _NS = Namespace("https://w3id.org/defcoop/ontology#")
    _fail = True

    City: URIRef
    Claim: URIRef
    Comparator: URIRef
    Country: URIRef
    Delegation: URIRef
    EpistemicStatus: URIRef
    EquipmentType: URIRef
    Event: URIRef
    Firm: URIRef
    FirmGroup: URIRef
    GovernmentBody: URIRef
    IndustryAssociation: URIRef
    Meeting: URIRef
    Objective: URIRef
    Organisation: URIRef
    OwnershipType: URIRef
    Person: URIRef
    Place: URIRef
    Post: URIRef
    Programme: URIRef
    ProgrammeStatus: URIRef
    QuantitativeFact: URIRef
    Ranking: URIRef
    Sector: URIRef
    Source: URIRef
    Visit: URIRef
    WeaponSystem: URIRef
    attribution: URIRef
    comparator: URIRef
    concernsEquipment: URIRef
    concernsSystem: URIRef
    country: URIRef
    countryOf: URIRef
    criterion: URIRef
    discussed: URIRef
    discussedAt: URIRef
    endDate: URIRef
    epistemicStatus: URIRef
    equipmentOf: URIRef
    eventStatus: URIRef
    follows: URIRef
    hasMember: URIRef
    heldAlongside: URIRef
    holdsPost: URIRef
    inCountry: URIRef
    leads: URIRef
    ledBy: URIRef
    location: URIRef
    locationOf: URIRef
    measure: URIRef
    memberOf: URIRef
    notStated: URIRef
    originCountry: URIRef
    ownershipType: URIRef
    participant: URIRef
    participatedIn: URIRef
    partner: URIRef
    partnerIn: URIRef
    period: URIRef
    position: URIRef
    postHolder: URIRef
    precedes: URIRef
    productionLocation: URIRef
    programmeStatus: URIRef
    pursuedBy: URIRef
    pursues: URIRef
    quantity: URIRef
    quantityOf: URIRef
    quote: URIRef
    rankOf: URIRef
    ranking: URIRef
    rationale: URIRef
    representedBy: URIRef
    represents: URIRef
    scope: URIRef
    sector: URIRef
    sectorOf: URIRef
    statedAs: URIRef
    startDate: URIRef
    statedEndDay: URIRef
    statedStartDay: URIRef
    systemOf: URIRef
    systemType: URIRef
    textFile: URIRef
    textSha256: URIRef
    unitCode: URIRef
    unitText: URIRef
    unknown: URIRef
    value: URIRef


def graph_iri(base_iri: str, name: str) -> URIRef:
    """Name of a graph DefCoop generates, e.g. `{base}graph/inferred`."""
    return URIRef(f"{base_iri}graph/{name}")


PREFIXES = {
    "defcoop": str(DEFCOOP._NS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": str(ORG),
    "schema": str(SCHEMA),
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}


# IRIs the web pages and the build use by name (strings, as pyoxigraph takes them)
RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_LANGSTRING = PREFIXES["rdf"] + "langString"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
XSD_STRING = PREFIXES["xsd"] + "string"
SKOS_PREF = PREFIXES["skos"] + "prefLabel"
SKOS_ALT = PREFIXES["skos"] + "altLabel"
DCT_TITLE = PREFIXES["dcterms"] + "title"
DCT_DESCRIPTION = PREFIXES["dcterms"] + "description"
DCT_LICENSE = PREFIXES["dcterms"] + "license"
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
SAME_AS = (PREFIXES["skos"] + "exactMatch", PREFIXES["owl"] + "sameAs")
"""What says an entity is a thing known elsewhere (Wikidata, GeoNames)."""
EDITORIAL_INFERENCE = "epistemic-status/editorial-inference"
"""The epistemic status of what DefCoop's editors inferred (`{base}id/epistemic-status/editorial-inference`), such as
a year the source leaves out."""
ONTOLOGY_NS = PREFIXES["defcoop"]
"""DefCoop's ontology terms start with this."""
