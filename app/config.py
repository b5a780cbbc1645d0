"""Named settings with defaults; overridden by the environment (DEFCOOP_*), then by explicit overrides."""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Every tunable of DefCoop. Each field is documented in README.md (a test checks)."""

    base_iri: str = "https://w3id.org/defcoop/"
    public_url: str | None = None
    data_dir: Path = ROOT / "data"
    ontology_dir: Path = ROOT / "ontology"
    shapes_dir: Path = ROOT / "shapes"
    build_dir: Path = ROOT / "build"
    store_endpoint: str | None = None
    store_timeout_s: float = 30.0
    store_dialect: str = "sparql"
    virtuoso_sql: str | None = None
    virtuoso_user: str = "dba"
    virtuoso_password: str = "dba"
    virtuoso_isql: str = "isql-vt"
    sparql_time_limit_s: float = 10.0
    sparql_max_rows: int = 10_000
    sparql_workers: int = 2
    sparql_max_waiting: int = 4
    sparql_allowed_services: tuple[str, ...] = field(default_factory=tuple)
    max_request_bytes: int = 1_000_000
    page_link_limit: int = 50
    page_threads: int = 4
    web_workers: int = 0
    keep_releases: int = 0
    build_workers: int = 0
    response_cache_mb: int = 64

    @property
    def id_prefix(self) -> str:
        """IRIs of entities start with this: `{base}id/`."""
        return self.base_iri + "id/"


DIALECTS = ("sparql", "virtuoso")
"""Values of `store_dialect`: a standard SPARQL 1.1 endpoint whose default graph is the merged one, or Virtuoso."""


class SettingError(ValueError):
    """A setting given a value that is not of its type; the message names the setting, its source and the value."""


TYPES: dict[str, Any] = typing.get_type_hints(Settings)
"""Each setting's declared type: `int`, `float`, `str`, `Path`, `tuple[str, ...]`, or one of them `| None`."""

KINDS = {int: "an integer", float: "a number", str: "text", Path: "a path", tuple: "a list"}
"""The types a setting may have, as an error message names them."""


def _optional(kind: Any) -> Any | None:
    """`X` for a hint `X | None`, else None."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        return next(arg for arg in args if arg is not type(None))
    return None


def _convert(kind: Any, value: Any) -> Any:
    """`value` (text from the environment or a flag, or a Python value from an override) as a `kind`; ValueError
    or TypeError when it is not one."""
    if (inner := _optional(kind)) is not None:
        return None if value is None or value == "" else _convert(inner, value)
    if typing.get_origin(kind) is tuple:  # tuple[X, ...]: text is split at commas and white space
        items = value.replace(",", " ").split() if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise TypeError(value)
        return tuple(_convert(typing.get_args(kind)[0], item) for item in items)
    if kind is Path:
        if isinstance(value, str):  # text from the environment or a flag is relative to the working directory
            return Path(value).resolve()
        if isinstance(value, os.PathLike):
            return Path(value)
    elif kind is int and isinstance(value, int | str) and not isinstance(value, bool):
        return int(value)
    elif kind is float and isinstance(value, int | float | str) and not isinstance(value, bool):
        return float(value)
    elif kind is str and isinstance(value, str):
        return value
    if (typing.get_origin(kind) or kind) not in KINDS:
        raise NotImplementedError(f"settings of type {kind} need a case in config._convert")
    raise TypeError(value)


def _coerce(name: str, value: Any, source: str | None = None) -> Any:
    """The value of setting `name` from `value`; SettingError naming the setting, `source` and the value."""
    kind = TYPES[name]
    try:
        return _convert(kind, value)
    except (TypeError, ValueError):
        base = _optional(kind) or kind
        where = f" (from {source})" if source else ""
        raise SettingError(f"setting {name}{where} must be {KINDS[typing.get_origin(base) or base]}, "
                           f"not {value!r}") from None


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then DEFCOOP_<NAME> environment variables, then `overrides` (e.g. test config or CLI flags)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name in TYPES:
        variable = "DEFCOOP_" + name.upper()
        if variable in environ:
            values[name] = _coerce(name, environ[variable], variable)
    for name, value in (overrides or {}).items():
        if name not in TYPES:
            raise KeyError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = _coerce(name, value)
    settings = Settings(**values)
    if settings.store_dialect not in DIALECTS:
        raise SettingError(f"setting store_dialect must be one of {', '.join(DIALECTS)}, "
                           f"not {settings.store_dialect!r}")
    if not settings.base_iri.endswith("/"):
        raise SettingError(f"setting base_iri must end with '/', not {settings.base_iri!r}")
    return settings
