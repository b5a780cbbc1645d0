"""Named settings with defaults; overridden by the environment (DEFCOOP_*), then by explicit overrides."""

from __future__ import annotations

import dataclasses
import os
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
    sparql_time_limit_s: float = 10.0
    sparql_max_rows: int = 10_000
    sparql_workers: int = 2
    sparql_max_waiting: int = 4
    sparql_allowed_services: tuple[str, ...] = field(default_factory=tuple)
    max_request_bytes: int = 1_000_000
    page_link_limit: int = 100
    keep_releases: int = 3
    build_workers: int = 0
    response_cache_mb: int = 64

    @property
    def id_prefix(self) -> str:
        """IRIs of entities start with this: `{base}id/`."""
        return self.base_iri + "id/"


def _coerce(name: str, value: Any) -> Any:
    fld = {f.name: f for f in dataclasses.fields(Settings)}[name]
    kind = str(fld.type)
    if value is None or not isinstance(value, str):
        if "tuple" in kind and isinstance(value, list | tuple):
            return tuple(value)
        if "Path" in kind and value is not None:
            return Path(value)
        return value
    if "Path" in kind:
        return Path(value).resolve()
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if "tuple" in kind:
        return tuple(v for v in value.replace(",", " ").split() if v)
    if "None" in kind and value == "":
        return None
    return value


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then DEFCOOP_<NAME> environment variables, then `overrides` (e.g. test config or CLI flags)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        env = environ.get("DEFCOOP_" + f.name.upper())
        if env is not None:
            values[f.name] = _coerce(f.name, env)
    for key, value in (overrides or {}).items():
        if key not in {f.name for f in dataclasses.fields(Settings)}:
            raise KeyError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = _coerce(key, value)
    settings = Settings(**values)
    if not settings.base_iri.endswith("/"):
        raise ValueError(f"base_iri must end with '/': {settings.base_iri!r}")
    return settings
