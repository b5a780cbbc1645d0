"""Source texts cut into sentences with their offsets: how the editor's skeleton numbers them and how a source's
page lays its facts over them (one splitter, so both see the same sentences)."""

from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*(?=\s+\S)|\n")
"""Where a sentence ends: after ., !, ? or … (and any closing quotes or brackets) before more text, or at a line
break."""


@dataclass(frozen=True)
class Sentence:
    number: int
    start: int
    """Offset of the first character in the text (Unicode code points, as Python counts them)."""
    end: int
    """Offset just past the last character."""
    text: str


def sentences(text: str) -> list[Sentence]:
    """The text's sentences with their offsets, in order; whitespace between sentences belongs to none."""
    found: list[Sentence] = []
    start = 0
    for cut in [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]:
        span = text[start:cut]
        stripped = span.strip()
        if stripped:
            begin = start + len(span) - len(span.lstrip())
            found.append(Sentence(len(found) + 1, begin, begin + len(stripped), stripped))
        start = cut
    return found
