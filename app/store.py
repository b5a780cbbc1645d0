"""The one module that knows how the published graph is stored.

A build writes a *release* (an Oxigraph store, download files and a manifest) into a staging folder,
then switches the `current` symlink to it in one atomic rename; readers open `current` read-only.
Queries go through a `GraphStore` (app/graph_store.py): embedded (pyoxigraph on disk, the default) or remote
(any SPARQL 1.1 endpoint); `open_store` and friends here open the right one.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.config import Settings
from app.graph_store import (
    STORE_RETRY_AFTER_S,
    EmbeddedStore,
    GraphStore,
    RemoteStore,
    Result,
    StoreUnavailable,
)

__all__ = ["STORE_RETRY_AFTER_S", "EmbeddedStore", "GraphStore", "Release", "RemoteStore", "Result",
           "StoreUnavailable", "commit_release", "current_release", "discard_staging", "open_release_store",
           "open_remote_store", "open_store", "release_at", "release_named", "releases", "stage_release"]

CURRENT = "current"
"""The symlink in `build_dir` naming the release readers serve."""
RELEASES = "releases"
"""The folder in `build_dir` holding releases (and staging folders of builds under way)."""
MANIFESTS_CACHED = 8
"""Manifests of this many recent releases are kept in memory (a release is read once, not on every request)."""
STAGING_GRACE_S = 60
"""A staging folder without its owner file yet is taken for abandoned only when older than this (seconds)."""
STAGING_NAMES = 1000
"""Staging folders one build may try within one second before giving up (names are `{time}-{n:03d}`)."""


@dataclass(frozen=True)
class Release:
    """One published build: `store/` (Oxigraph), `downloads/`, `texts/` (the sources' texts) and `manifest.json`."""

    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def downloads_dir(self) -> Path:
        return self.path / "downloads"

    def source_text(self, text_file: str) -> str | None:
        """A source's text as received (`defcoop:textFile`, relative to the data folder), as the build shipped it in
        `texts/`; None when the release has no such text (or the path would leave that folder)."""
        root = texts_dir(self.path).resolve()
        path = (root / text_file).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path.read_text(encoding="utf-8")

    @property
    def manifest(self) -> dict[str, Any]:
        """The release's manifest (read once per release: a committed release never changes). Do not mutate."""
        return _manifest(self.path)

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def built_at(self) -> datetime:
        """When the release was built: manifest `built_at` (ISO 8601, UTC if naive), else the folder's mtime."""
        return _built_at(self.path)


TEXTS = "texts"
"""The folder of a release holding the sources' texts, at their paths relative to the data folder."""


def texts_dir(release_path: Path) -> Path:
    return release_path / TEXTS


@functools.lru_cache(maxsize=MANIFESTS_CACHED)
def _manifest(path: Path) -> dict[str, Any]:
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=MANIFESTS_CACHED)
def _built_at(path: Path) -> datetime:
    try:
        stamp = _manifest(path).get("built_at")
        moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except (OSError, ValueError):
        moment = None
    if moment is None:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current_release(build_dir: Path) -> Release | None:
    """The release readers should serve, or None when nothing was ever published.

    Every request asks this: the link is read (one system call) and its target resolved once per target, not
    once per request (`Path.resolve` stats every component: 40 us of each /sparql request at 1M)."""
    link = build_dir / CURRENT
    try:
        folder = os.stat(build_dir)  # the folder itself, whatever path leads to it (and a relative one from where)
        path = _resolved(link.absolute(), os.readlink(link), (folder.st_dev, folder.st_ino))
    except FileNotFoundError:  # nothing published yet
        return None
    except OSError:  # not a link (a folder put there by hand): resolved as it is
        path = link.resolve()
    if not (path / "manifest.json").exists():
        return None
    return Release(path)


@functools.lru_cache(maxsize=64)
def _resolved(link: Path, target: str, folder: tuple[int, int]) -> Path:
    """Where `link`, pointing at `target`, leads. The target read with it and the build folder's identity name the
    cache entry: a new release is a new target, and a path repointed at another build folder (a blue/green switch)
    is another folder."""
    return (link.parent / target).resolve()


def release_named(build_dir: Path, release_id: str) -> Release | None:
    """The published release `release_id` (a folder name under `releases/`), or None when it is not (or no
    longer) on disk."""
    path = build_dir / RELEASES / release_id
    if "/" in release_id or release_id.endswith(".staging") or not (path / "manifest.json").exists():
        return None
    return Release(path.resolve())


def releases(build_dir: Path) -> list[Release]:
    """Every published release still on disk, newest first (release ids sort by build time)."""
    folder = build_dir / RELEASES
    if not folder.is_dir():
        return []
    found = (p for p in folder.iterdir() if not p.name.endswith(".staging") and (p / "manifest.json").is_file())
    return [Release(p.resolve()) for p in sorted(found, key=lambda p: p.name, reverse=True)]


def release_at(build_dir: Path, moment: datetime) -> Release | None:
    """The release that was current at `moment` (the newest built at or before it); the oldest kept release when
    `moment` precedes them all; None when nothing is published."""
    kept = releases(build_dir)
    return next((r for r in kept if r.built_at <= moment), kept[-1] if kept else None)


def stage_release(build_dir: Path) -> Path:
    """A fresh, empty folder to build a release in; invisible to readers until `commit_release`. Staging folders
    left by builds that were killed are removed first."""
    releases = build_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(releases)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(STAGING_NAMES):
        path = releases / f"{stamp}-{n:03d}.staging"
        if path.with_name(path.name.removesuffix(".staging")).exists():
            continue  # a release committed within the same second holds this name
        try:
            path.mkdir()
            (path / OWNER).write_text(str(os.getpid()), encoding="utf-8")
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a staging folder in {releases}")


OWNER = ".owner-pid"
"""A staging folder names the process building it, so a later build can tell an abandoned one."""


def _remove_abandoned_staging(releases: Path) -> None:
    for staging in releases.glob("*.staging"):
        try:
            pid: int | None = int((staging / OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # no owner yet: abandoned only if it is not brand new
            pid = None if time.time() - staging.stat().st_mtime > STAGING_GRACE_S else os.getpid()
        if pid is None or not _alive(pid):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard_staging(staging: Path) -> None:
    """Remove a staging folder after a failed build; the current release is untouched."""
    shutil.rmtree(staging, ignore_errors=True)


def commit_release(build_dir: Path, staging: Path, keep: int = Settings.keep_releases) -> Release:
    """Make `staging` the current release atomically (symlink swap by rename), then prune old releases."""
    final = staging.with_name(staging.name.removesuffix(".staging"))
    (staging / OWNER).unlink(missing_ok=True)
    staging.rename(final)
    tmp_link = build_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(Path(RELEASES) / final.name)
    os.replace(tmp_link, build_dir / CURRENT)
    _prune(build_dir / RELEASES, final, keep)
    return Release(final)


def _prune(releases: Path, current: Path, keep: int) -> None:
    """Remove all but the `keep` newest releases (0: keep every release)."""
    if keep <= 0:
        return
    done = sorted(p for p in releases.iterdir() if not p.name.endswith(".staging"))
    for old in done[: max(0, len(done) - keep)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


def open_release_store(release: Release) -> GraphStore:
    """`release`'s embedded store, read-only."""
    store = EmbeddedStore(release.store_path, release.manifest.get("default_graph") == "merged")
    store.release_dir = release.path
    return store


def open_remote_store(settings: Settings) -> GraphStore:
    """The remote endpoint `store_endpoint` names."""
    assert settings.store_endpoint, "no store_endpoint is set"
    if settings.store_dialect == "virtuoso":
        from app.virtuoso import dataset

        return RemoteStore(settings.store_endpoint, settings.store_timeout_s, *dataset(settings.base_iri))
    return RemoteStore(settings.store_endpoint, settings.store_timeout_s)


def open_store(settings: Settings) -> GraphStore:
    """The store the settings name: a remote endpoint if `store_endpoint` is set, else the current release."""
    if settings.store_endpoint:
        return open_remote_store(settings)
    release = current_release(settings.build_dir)
    if release is None:
        raise FileNotFoundError(f"nothing is published in {settings.build_dir}; run `defcoop build` first")
    return open_release_store(release)
