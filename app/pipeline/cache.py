"""The build's cache: per-file results kept by content hash in `{build_dir}/cache`, reused only by the code
that made them, written atomically, and pruned to what the last build used."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

SUBFOLDERS = ("units", "shacl", "chunks")
"""Where per-file results live: parsed units, SHACL verdicts, and the chunks of the dumps."""


def code_version() -> str:
    """The pipeline's code, hashed: a cached result is reused only by the code that made it."""
    from importlib.metadata import version

    h = hashlib.sha256(" ".join(version(p) for p in ("defcoop", "pyoxigraph", "pyshacl", "rdflib")).encode())
    app = Path(__file__).parent.parent
    for path in sorted([*Path(__file__).parent.glob("*.py"), app / "vocab.py", app / "convert.py", app / "search.py",
                          app / "history.py", app / "facets.py", app / "sqlite_file.py"]):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def write_atomic(path: Path, text: str) -> None:
    """Write a cache entry so that a reader never sees half of it (a build killed mid-write leaves no entry)."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def prune(cache: Path, used: set[Path]) -> None:
    """After a build, the cache holds what that build used and nothing else (it cannot grow without bound)."""
    for sub in SUBFOLDERS:
        for path in (cache / sub).iterdir():
            if path not in used:
                path.unlink(missing_ok=True)
