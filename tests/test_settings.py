"""Settings: each takes its type from the `Settings` field, a bad value is a clear error naming the setting, and the
one `Settings` object the command line loads is the one the web app serves with."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.config import TYPES, SettingError, Settings, load_settings
from app.web import create_app
from app.web import server as web_server


@pytest.mark.parametrize(("variable", "text", "name", "value"), [
    ("DEFCOOP_SPARQL_WORKERS", "3", "sparql_workers", 3),
    ("DEFCOOP_SPARQL_TIME_LIMIT_S", "2.5", "sparql_time_limit_s", 2.5),
    ("DEFCOOP_STORE_TIMEOUT_S", "5", "store_timeout_s", 5.0),
    ("DEFCOOP_BASE_IRI", "https://example.org/dc/", "base_iri", "https://example.org/dc/"),
    ("DEFCOOP_PUBLIC_URL", "https://defcoop.example.org/", "public_url", "https://defcoop.example.org/"),
    ("DEFCOOP_PUBLIC_URL", "", "public_url", None),
    ("DEFCOOP_SPARQL_ALLOWED_SERVICES", "http://a.example/, http://b.example/", "sparql_allowed_services",
     ("http://a.example/", "http://b.example/")),
])
def test_environment_text_becomes_the_settings_type(variable: str, text: str, name: str, value: Any) -> None:
    settings = load_settings(environ={variable: text})
    assert getattr(settings, name) == value
    assert type(getattr(settings, name)) is type(value)


def test_a_relative_path_in_the_environment_is_resolved_where_it_is_read(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={"DEFCOOP_BUILD_DIR": "out"}).build_dir == tmp_path.resolve() / "out"


@pytest.mark.parametrize(("environ", "overrides", "message"), [
    ({"DEFCOOP_SPARQL_WORKERS": "abc"}, {},
     "setting sparql_workers (from DEFCOOP_SPARQL_WORKERS) must be an integer, not 'abc'"),
    ({"DEFCOOP_SPARQL_MAX_ROWS": "1.5"}, {},
     "setting sparql_max_rows (from DEFCOOP_SPARQL_MAX_ROWS) must be an integer, not '1.5'"),
    ({"DEFCOOP_SPARQL_TIME_LIMIT_S": "soon"}, {},
     "setting sparql_time_limit_s (from DEFCOOP_SPARQL_TIME_LIMIT_S) must be a number, not 'soon'"),
    ({}, {"sparql_workers": True}, "setting sparql_workers must be an integer, not True"),
    ({}, {"build_dir": 3}, "setting build_dir must be a path, not 3"),
    ({}, {"public_url": 3}, "setting public_url must be text, not 3"),
    ({}, {"sparql_allowed_services": 3}, "setting sparql_allowed_services must be a list, not 3"),
    ({}, {"base_iri": "https://example.org/dc"}, "setting base_iri must end with '/', not 'https://example.org/dc'"),
])
def test_a_bad_value_names_the_setting_and_the_value(environ: dict[str, str], overrides: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(SettingError) as raised:
        load_settings(overrides, environ=environ)
    assert str(raised.value) == message


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(KeyError, match="sparql_worker"):
        load_settings({"sparql_worker": 3}, environ={})


@pytest.mark.parametrize("name", list(TYPES))
def test_every_setting_reads_its_default_back_from_text(name: str) -> None:
    """A new kind of setting cannot be added without the environment and the flags being able to set it."""
    default = getattr(Settings(), name)
    text = " ".join(default) if isinstance(default, tuple) else "" if default is None else str(default)
    assert getattr(load_settings(environ={"DEFCOOP_" + name.upper(): text}), name) == default


def test_defcoop_reports_a_bad_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFCOOP_SPARQL_WORKERS", "abc")
    with pytest.raises(SystemExit) as raised:
        cli.main(["serve"])
    assert str(raised.value) == "defcoop: setting sparql_workers (from DEFCOOP_SPARQL_WORKERS) must be an integer, " \
        "not 'abc'"


def test_defcoop_serve_hands_its_settings_object_to_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Settings] = []
    monkeypatch.setattr(web_server, "serve", lambda settings, host, port: served.append(settings))
    loaded: list[Settings] = []

    def load(overrides: dict[str, Any]) -> Settings:
        loaded.append(load_settings(overrides, environ={}))
        return loaded[-1]

    monkeypatch.setattr(cli, "load_settings", load)
    (tmp_path / "current").mkdir()
    (tmp_path / "current" / "manifest.json").write_text("{}", encoding="utf-8")  # something is published: no build
    assert cli.main(["serve", "--build-dir", str(tmp_path), "--page-threads", "7"]) == 0
    assert served[0] is loaded[0] and served[0].page_threads == 7


def test_create_app_serves_with_the_settings_object_it_is_given(tmp_path: Path) -> None:
    settings = load_settings({"build_dir": tmp_path, "sparql_workers": 1}, environ={})
    app = create_app(settings)
    try:
        assert app.extensions["defcoop"] is settings
    finally:
        app.extensions["defcoop.sparql"].close()


def test_server_threads_are_the_query_pool_plus_page_threads_and_workers_follow_the_cpus() -> None:
    settings = dataclasses.replace(Settings(), sparql_workers=3, sparql_max_waiting=5, page_threads=2)
    assert web_server.threads(settings) == 10
    assert web_server.workers(settings) == (os.cpu_count() or 1)
    assert web_server.workers(dataclasses.replace(settings, web_workers=3)) == 3
