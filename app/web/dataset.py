"""What a release offers for download, and its description as VoID + DCAT, both computed from its manifest.

`downloads()` is the one list the /downloads page (and its JSON, `listing_json()`), the file routes and the
VoID description share. Absolute URLs start with `root`, the site's URL (urls.site_root).
`void_graph()` describes four datasets, each with the dumps that actually hold it: the DefCoop data
(`defcoop.*`; a VoID client loading every `void:dataDump` of it gets data, never shapes), its ontology
(`ontology.*`, a `void:subset`), the SHACL shapes the data conforms to (`shapes.ttl`) and the claims as
nanopublications (`nanopubs.trig`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from app.store import Release
from app.vocab import DCAT, PREFIXES, VOID
from app.web.ontology_doc import ontology_graph
from app.web.renderers import RDF_FORMATS, Format, lookup

SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
TITLE = "DefCoop"
DESCRIPTION = (
    "Defence-industrial cooperation as Linked Data: which firms, delegations, meetings, programmes and countries "
    "work together, with every fact traceable to the sentence of the source that states it (one named graph per "
    "claim, described with PROV-O)."
)
VOCABULARIES = ("dcterms", "rdfs", "skos", "prov", "org", "schema")
"""Standard vocabularies the published data uses (besides the DefCoop ontology); a test checks each is used."""
CONTENTS = {
    "dataset": ("DefCoop data", "Every graph but the ontology merged into one graph: the facts of all claims, "
                "their provenance, the controlled vocabularies and the inferred triples."),
    "dataset with provenance graphs": ("DefCoop data with named graphs", "Every graph with its name: one graph "
                                       "per claim, the provenance graphs, the inferred triples, the controlled "
                                       "vocabularies and the ontology."),
    "ontology": ("DefCoop ontology", "The OWL ontology: classes and properties with their definitions and "
                 "alignments to ORG, schema.org, PROV-O and SKOS."),
    "SHACL shapes": ("DefCoop SHACL shapes", "The SHACL shapes every build validates the data against."),
    "nanopublications": ("DefCoop claims as nanopublications", "Every claim as a nanopublication under its trusty "
                         "URI: its facts as the assertion, its source, quote and status as their provenance."),
}


@dataclass(frozen=True)
class Download:
    """One file of a release's `downloads/`, as its manifest lists it."""

    name: str
    path: Path
    format: Format | None
    media_type: str
    bytes: int
    triples: int | None
    sha256: str
    content: str
    gzip_path: Path | None = None
    """The file gzip-compressed, when the release has it (`{name}.gz`, written by the build)."""

    @property
    def title(self) -> str:
        kind = CONTENTS.get(self.content, (self.content.capitalize(), ""))[0]
        return f"{kind} ({self.format_label})"

    @property
    def format_label(self) -> str:
        """The format's name (`RDF/XML`, `N-Triples`), else the media type."""
        return self.format.title if self.format is not None else self.media_type

    @property
    def description(self) -> str:
        return CONTENTS.get(self.content, ("", self.content))[1]

    @property
    def content_type(self) -> str:
        """The Content-Type header: the registry's (text types say their charset), else the manifest's type."""
        return self.format.content_type if self.format else self.media_type

    def to_json(self, url: str) -> dict[str, Any]:
        return {"name": self.name, "url": url, "title": self.title, "description": self.description,
                "content": self.content, "media_type": self.media_type, "bytes": self.bytes,
                "triples": self.triples, "sha256": self.sha256}


def downloads(release: Release) -> list[Download]:
    """The release's downloads in manifest order; only these names are ever served."""
    listed: dict[str, dict[str, Any]] = release.manifest.get("downloads", {})
    found = []
    for name, entry in listed.items():
        path = release.downloads_dir / name
        if Path(name).name != name or not path.is_file():
            continue  # never a path outside downloads/, never a file the manifest lists but the release lacks
        media_type = entry.get("media_type", "application/octet-stream")
        packed = entry.get("gzip", {}).get("file")
        gzip_path = release.downloads_dir / packed if packed and Path(packed).name == packed else None
        found.append(Download(name, path, lookup(media_type, RDF_FORMATS), media_type, entry.get("bytes", 0),
                              entry.get("triples"), entry.get("sha256", ""), entry.get("content", ""), gzip_path))
    return found


def find_download(release: Release, name: str) -> Download | None:
    """The download called `name` exactly, or None (unknown names, paths and traversal attempts alike)."""
    return next((d for d in downloads(release) if d.name == name), None)


def jsonld_context(release: Release) -> dict[str, Any]:
    """The @context inlined in the release's JSON-LD dumps (recorded in its manifest), as a document of its own."""
    return {"@context": release.manifest.get("jsonld_context", {})}


def listing_json(release: Release, root: str) -> dict[str, Any]:
    """The /downloads listing for programs: the release, where it is described, and each download's URL."""
    return {
        "release": release.id,
        "built_at": release.manifest.get("built_at"),
        "description": root + ".well-known/void",
        "context": root + "context.jsonld",
        "downloads": [d.to_json(root + "downloads/" + d.name) for d in downloads(release)],
    }


def void_graph(release: Release, root: str, base: str | None = None, versions: Sequence[Release] = ()) -> Graph:
    """VoID and DCAT description of the release; `root` is the site's absolute URL ending in '/', `base` where the
    release's own URLs start (`root` for the current release, `{root}releases/{id}/` for a kept one). Each
    release is a version (`dcat:version`, `dct:issued`, `dcat:previousVersion`); `versions` (every kept release,
    for the current description) are listed with `dcat:hasVersion`."""
    manifest = release.manifest
    base = base or root
    here = base + ".well-known/void"
    data, ontology_set, shapes_set = URIRef(here + "#defcoop"), URIRef(here + "#ontology"), URIRef(here + "#shapes")
    nanopubs_set = URIRef(here + "#nanopubs")
    ontology = ontology_graph(release)
    ontology_iri = URIRef(manifest["ontology_iri"]) if manifest.get("ontology_iri") else None
    license_ = ontology.value(ontology_iri, DCTERMS.license) if ontology_iri else None
    modified = Literal(release.built_at.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)

    graph = Graph()
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX),
                              ("foaf", FOAF), ("xsd", XSD)):
        graph.bind(prefix, namespace)
    graph.add((URIRef(here), RDF.type, VOID.DatasetDescription))
    graph.add((URIRef(here), DCTERMS.title, Literal(f"Description of the {TITLE} dataset", lang="en")))
    graph.add((URIRef(here), FOAF.primaryTopic, data))

    titles = {data: (TITLE, DESCRIPTION), ontology_set: CONTENTS["ontology"], shapes_set: CONTENTS["SHACL shapes"],
              nanopubs_set: CONTENTS["nanopublications"]}
    for node, (title, description) in titles.items():
        graph.add((node, RDF.type, VOID.Dataset))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.title, Literal(title, lang="en")))
        graph.add((node, DCTERMS.description, Literal(description, lang="en")))
        graph.add((node, DCTERMS.modified, modified))
        graph.add((node, DCAT.landingPage, URIRef(base + "downloads")))
        if license_ is not None:
            graph.add((node, DCTERMS.license, license_))

    graph.add((data, VOID.sparqlEndpoint, URIRef(base + "sparql")))
    _version(graph, data, release)
    previous = (manifest.get("changes") or {}).get("previous")
    kept = {r.id: r for r in versions}
    if previous:
        node = _version_node(root, previous)
        graph.add((data, DCAT.previousVersion, node))
        if previous in kept:
            _version(graph, node, kept[previous])
    for version in versions:
        if version.id != release.id:
            node = _version_node(root, version.id)
            graph.add((data, DCAT.hasVersion, node))
            _version(graph, node, version)
    graph.add((data, VOID.uriSpace, Literal(manifest.get("base_iri", "") + "id/")))
    graph.add((data, VOID.triples, Literal(manifest.get("triples", 0), datatype=XSD.integer)))
    graph.add((data, VOID.subset, ontology_set))
    graph.add((data, DCTERMS.conformsTo, shapes_set))
    if ontology_iri is not None:
        graph.add((data, VOID.vocabulary, ontology_iri))
        graph.add((ontology_set, VOID.rootResource, ontology_iri))
        graph.add((ontology_set, FOAF.primaryTopic, ontology_iri))
    for prefix in VOCABULARIES:
        graph.add((data, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    for cls, entities in sorted(manifest.get("classes", {}).items()):
        partition = BNode()
        graph.add((data, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(cls)))
        graph.add((partition, VOID.entities, Literal(entities, datatype=XSD.integer)))

    owner = {"ontology": ontology_set, "SHACL shapes": shapes_set, "nanopublications": nanopubs_set}
    for download in downloads(release):
        dataset = owner.get(download.content, data)
        if dataset is ontology_set and download.triples is not None:
            graph.set((ontology_set, VOID.triples, Literal(download.triples, datatype=XSD.integer)))
        _distribution(graph, dataset, download, base, here)

    service = URIRef(here + "#sparql")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal(f"{TITLE} SPARQL endpoint", lang="en")))
    graph.add((service, DCAT.endpointURL, URIRef(base + "sparql")))
    graph.add((service, DCAT.endpointDescription, URIRef(base + "sparql")))
    graph.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    graph.add((service, DCAT.servesDataset, data))
    return graph


def _version_node(root: str, release_id: str) -> URIRef:
    return URIRef(f"{root}releases/{release_id}/.well-known/void#defcoop")


def _version(graph: Graph, node: URIRef, release: Release) -> None:
    """A release as a version of the dataset: its id, when it was issued, where to look at it."""
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCAT.version, Literal(release.id)))
    graph.add((node, DCTERMS.issued, Literal(release.built_at.isoformat().replace("+00:00", "Z"),
                                             datatype=XSD.dateTime)))


def _distribution(graph: Graph, dataset: URIRef, download: Download, root: str, here: str) -> None:
    url = URIRef(root + "downloads/" + download.name)
    node = URIRef(f"{here}#download-{download.name}")
    graph.add((dataset, VOID.dataDump, url))
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(download.title, lang="en")))
    if download.description:
        graph.add((node, DCTERMS.description, Literal(download.description, lang="en")))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.accessURL, URIRef(root + "downloads")))
    graph.add((node, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + download.media_type)))
    if download.format is not None and download.format.w3c:
        graph.add((node, DCTERMS["format"], URIRef(download.format.w3c)))
    graph.add((node, DCAT.byteSize, Literal(download.bytes, datatype=XSD.nonNegativeInteger)))
    if download.sha256:
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(download.sha256, datatype=XSD.hexBinary)))

