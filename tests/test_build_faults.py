"""A build that dies or runs out of disk publishes nothing: the previous release keeps serving, and the next
build succeeds."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate

STAGES = ("ontology", "parse", "load", "shacl", "reason", "publish")


def command(data: Path, build_dir: Path) -> list[str]:
    return [sys.executable, "-m", "app.cli", "build", "--data-dir", str(data), "--build-dir", str(build_dir)]


def defcoop_build(data: Path, build_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(data, build_dir), capture_output=True, text=True, timeout=600)


def served(build_dir: Path) -> tuple[Path, str]:
    return (build_dir / "current").resolve(), (build_dir / "current" / "manifest.json").read_text()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("faults") / "data"
    generate(data, 40_000, claims_per_source=300)
    return data


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    """A build folder with the bundled data published."""
    build = defcoop_build(Path(__file__).resolve().parents[1] / "data", tmp_path / "build")
    assert build.returncode == 0, build.stderr
    return tmp_path / "build"


@pytest.mark.parametrize("stage", STAGES)
def test_a_build_killed_in_any_stage_leaves_the_previous_release_serving(
        stage: str, generated: Path, previous: Path) -> None:
    before = served(previous)
    with subprocess.Popen(command(generated, previous), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as build:
        assert build.stderr is not None
        for line in build.stderr:
            if line.startswith(f"{stage}: started"):
                build.send_signal(signal.SIGKILL)
                break
        assert build.wait(300) == -signal.SIGKILL, f"the build finished before its {stage} stage could be killed"
    assert served(previous) == before

    again = defcoop_build(generated, previous)
    assert again.returncode == 0, again.stderr
    assert served(previous) != before
    assert json.loads(served(previous)[1])["sources"][-1].startswith("india-russia")
    assert not list((previous / "releases").glob("*.staging")), "the killed build's staging folder is cleaned up"


def test_a_full_disk_fails_clearly_and_keeps_the_previous_release(generated: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)]).returncode != 0:
        pytest.skip("this machine does not let the tests mount a tmpfs")
    try:
        assert defcoop_build(Path(__file__).resolve().parents[1] / "data", disk / "build").returncode == 0
        before = served(disk / "build")
        full = defcoop_build(generated, disk / "build")
        err = full.stderr
        assert full.returncode == 1
        assert "No space left on device" in err and "nothing was published" in err, err
        assert "Traceback" not in err
        assert served(disk / "build") == before
        assert not list((disk / "build" / "releases").glob("*.staging"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)
