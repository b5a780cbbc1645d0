"""`current_release`, which every request asks: it reads the `current` link each time and resolves each target once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.store import current_release


def release(build_dir: Path, name: str, manifest: bool = True) -> Path:
    path = build_dir / "releases" / name
    path.mkdir(parents=True)
    if manifest:
        (path / "manifest.json").write_text(json.dumps({"built_at": "2026-12-06T00:00:00+00:00"}), encoding="utf-8")
    return path


def point(build_dir: Path, name: str) -> None:
    """Switch `current` as a build does (an atomic symlink swap)."""
    tmp = build_dir / ".current.tmp"
    tmp.symlink_to(Path("releases") / name)
    os.replace(tmp, build_dir / "current")


def test_current_release_follows_the_link_each_time_it_is_asked(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    first, second = release(build_dir, "r1"), release(build_dir, "r2")
    assert current_release(build_dir) is None  # nothing published yet
    point(build_dir, "r1")
    assert current_release(build_dir).path == first.resolve()
    point(build_dir, "r2")
    assert current_release(build_dir).path == second.resolve()
    point(build_dir, "r1")  # back to a target resolved before
    assert current_release(build_dir).path == first.resolve()


def test_current_release_is_the_resolved_folder_whatever_path_leads_to_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    published = release(real, "r1")
    point(real, "r1")
    (tmp_path / "alias").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    for build_dir in (Path("real"), Path("alias"), tmp_path / "alias"):
        found = current_release(build_dir)
        assert found is not None and found.path == published.resolve() and found.path.is_absolute()
    elsewhere = release(tmp_path / "elsewhere" / "real", "r2")
    point(tmp_path / "elsewhere" / "real", "r1")  # the same relative path, from another folder, names another link
    (elsewhere.parent / "r1").mkdir()
    (elsewhere.parent / "r1" / "manifest.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert current_release(Path("real")).path == (elsewhere.parent / "r1").resolve()
    (tmp_path / "alias").unlink()  # a blue/green switch: the same path, now to another build folder
    (tmp_path / "alias").symlink_to(elsewhere.parent.parent)
    assert current_release(tmp_path / "alias").path == (elsewhere.parent / "r1").resolve()


def test_current_release_is_none_when_the_link_leads_to_no_release(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    release(build_dir, "broken", manifest=False)
    point(build_dir, "broken")
    assert current_release(build_dir) is None
    point(build_dir, "missing")
    assert current_release(build_dir) is None


def test_current_release_accepts_a_folder_put_in_place_of_the_link(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    folder = build_dir / "current"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    found = current_release(build_dir)
    assert found is not None and found.path == folder.resolve()
