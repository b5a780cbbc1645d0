"""`defcoop new-source FILE`: copy a source text into `data/sources/` as received, describe it (checksum, title,
publisher, date, URL as given; what is not given is recorded as unknown), and write `data/facts/{slug}.trig`: the
provenance graph describing the source, then every sentence numbered with its character offsets and a commented
claim template beside it, so the editor writes each fact next to the sentence that states it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from app.config import Settings
from app.texts import Sentence, sentences
from app.vocab import PREFIXES

UNKNOWN = {"publisher": "publisher and author", "date": "publication date", "url": "original URL"}
"""What a facts file records as `defcoop:unknown` for each description the editor did not give."""


@dataclass(frozen=True)
class NewSource:
    slug: str
    text_file: Path
    facts_file: Path
    sha256: str
    sentences: tuple[Sentence, ...]


class SourceExists(Exception):
    """A source of that name is already recorded with different content."""


def slug_of(text: str) -> str:
    """`india-russia-defence-manufacturing-moscow` for a title or file name: lower case ASCII words and hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def new_source(settings: Settings, text_path: Path, *, title: str, slug: str | None = None,
               publisher: str | None = None, published: str | None = None, url: str | None = None,
               language: str = "en") -> NewSource:
    """Record `text_path` as the source `slug` (default: from the file name) and write its facts skeleton.

    Raises SourceExists if `data/sources/{slug}.txt` or `data/facts/{slug}.trig` already exists (the same text
    again is refused too: the skeleton would overwrite an editor's facts), ValueError for a date that is not
    ISO 8601 (YYYY-MM-DD, YYYY-MM or YYYY) or a URL that is not absolute."""
    raw = text_path.read_bytes()
    text = raw.decode("utf-8")  # UnicodeDecodeError names the offset: sources are UTF-8 text
    slug = slug_of(slug or text_path.stem)
    if not slug:
        raise ValueError(f"cannot make a slug from {text_path.name!r}: give one with --slug")
    text_file = settings.data_dir / "sources" / f"{slug}.txt"
    facts_file = settings.data_dir / "facts" / f"{slug}.trig"
    for path in (text_file, facts_file):
        if path.exists():
            raise SourceExists(f"{path} already exists: choose another --slug, or edit that file")
    found = tuple(sentences(text))
    digest = hashlib.sha256(raw).hexdigest()
    skeleton = _skeleton(settings, slug, title, digest, found, publisher=publisher, published=published, url=url,
                         language=language)
    text_file.parent.mkdir(parents=True, exist_ok=True)
    facts_file.parent.mkdir(parents=True, exist_ok=True)
    text_file.write_bytes(raw)  # exactly as received
    facts_file.write_text(skeleton, encoding="utf-8")
    return NewSource(slug, text_file, facts_file, digest, found)


def _date_literal(value: str) -> str:
    """`"2025-11-01"^^xsd:date` (or xsd:gYearMonth, xsd:gYear): a publication date as the source shape wants it."""
    for pattern, datatype in ((r"\d{4}-\d{2}-\d{2}", "date"), (r"\d{4}-\d{2}", "gYearMonth"), (r"\d{4}", "gYear")):
        if re.fullmatch(pattern, value):
            if datatype == "date":
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise ValueError(f"publication date {value!r} is not a day of the calendar") from None
            return f'"{value}"^^xsd:{datatype}'
    raise ValueError(f"publication date {value!r} is not YYYY-MM-DD, YYYY-MM or YYYY")


def _skeleton(settings: Settings, slug: str, title: str, digest: str, found: tuple[Sentence, ...], *,
              publisher: str | None, published: str | None, url: str | None, language: str) -> str:
    base = settings.base_iri
    lines = [
        f"# Facts of the source data/sources/{slug}.txt, recorded by `defcoop new-source`.",
        "# Below the source's description, every sentence of the text, numbered, with its character offsets (Unicode",
        "# characters from 0). For each sentence that states facts, uncomment its claim: in the claim graph only the",
        "# triples that sentence supports; in its description the epistemic status (stated; attributed-to-unnamed-",
        "# sources with defcoop:attribution; editorial-inference with defcoop:rationale) and the quote, shortened",
        "# to the span that supports the claim, verbatim. Find the IRI of an existing entity or a reference place",
        f"# with `defcoop lookup TEXT`; check the file with `defcoop validate data/facts/{slug}.trig`.",
        "",
        *(f"@prefix {p}: <{PREFIXES[p]}> ." for p in ("defcoop", "rdfs", "xsd", "skos", "dcterms", "prov", "schema")),
        f"@prefix claim: <{base}id/claim/> .",
        f"@prefix source: <{base}id/source/> .",
        f"@prefix provenance: <{base}graph/provenance/> .",
        f"@prefix epistemic-status: <{base}id/epistemic-status/> .",
        "",
    ]
    described = [
        f"    source:{slug} a defcoop:Source",
        f"        dcterms:title {ox.Literal(title, language=language)}",
        f"        dcterms:language {ox.Literal(language)}",
        '        dcterms:format "text/plain"',
        f'        defcoop:textFile "sources/{slug}.txt"',
        f'        defcoop:textSha256 "{digest}"',
    ]
    given = {"publisher": publisher, "date": published, "url": url}
    if publisher:
        described.append(f"        dcterms:publisher {ox.Literal(publisher)}")
    if published:
        described.append(f"        dcterms:date {_date_literal(published)}")
    if url:
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$", url):
            raise ValueError(f"URL {url!r} is not an absolute URL")
        described.append(f"        schema:url {ox.Literal(url)}^^xsd:anyURI")
    unknown = [UNKNOWN[k] for k, v in given.items() if not v]
    if unknown:
        described.append("        defcoop:unknown " + ", ".join(str(ox.Literal(u)) for u in unknown))
    lines += [f"provenance:{slug} {{", " ;\n".join(described) + " .", "}", ""]
    for s in found:
        claim = f"claim:{slug}-{s.number:02d}"
        lines += [
            f"# Sentence {s.number} [{s.start}–{s.end}]: {s.text}",
            f"# {claim} {{",
            "# }",
            f"# provenance:{slug} {{",
            f"#     {claim} a defcoop:Claim ;",
            f"#         prov:wasDerivedFrom source:{slug} ;",
            f"#         defcoop:quote {ox.Literal(s.text)} ;",
            "#         defcoop:epistemicStatus epistemic-status:stated .",
            "# }",
            "",
        ]
    return "\n".join(lines)
