"""The flow stays one-way: the pipeline and the web app never import each other (both may use config, vocab,
store)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.config import ROOT

LAYERS = {"pipeline": "app.web", "web": "app.pipeline"}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_does_not_import_the_other(layer: str) -> None:
    forbidden = LAYERS[layer]
    files = sorted((ROOT / "app" / layer).rglob("*.py"))
    assert files
    offenders = {f.name: sorted(m for m in imports(f) if m == forbidden or m.startswith(forbidden + "."))
                 for f in files}
    assert not {name: mods for name, mods in offenders.items() if mods}
