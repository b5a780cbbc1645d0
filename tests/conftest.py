"""Shared fixtures: a real build of the bundled data into a temporary folder, and its store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.config import ROOT, Settings, load_settings
from app.pipeline import build
from app.pipeline.publish import Published
from app.store import EmbeddedStore


def settings_for(build_dir: Path, **overrides: object) -> Settings:
    return load_settings({"build_dir": build_dir, **overrides}, environ={})


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The bundled data built once per session, exactly as `defcoop build` does."""
    return build(settings_for(tmp_path_factory.mktemp("build")))


@pytest.fixture(scope="session")
def store(published: Published) -> EmbeddedStore:
    return EmbeddedStore(published.release.store_path)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ a test may break."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target
