"""`defcoop` command line: thin commands over the pipeline and the web server."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import tempfile
import time
from pathlib import Path

from app.config import Settings, load_settings
from app.store import current_release

SETTINGS = tuple(f.name for f in dataclasses.fields(Settings))
"""Every setting is also a flag of every command: `sparql_time_limit_s` → `--sparql-time-limit-s`."""


def _settings(args: argparse.Namespace) -> Settings:
    try:
        return load_settings({k: getattr(args, k) for k in SETTINGS if getattr(args, k, None) is not None})
    except ValueError as exc:
        raise SystemExit(f"defcoop: {exc}") from None


def cmd_build(args: argparse.Namespace) -> int:
    return _build(_settings(args))


def _build(settings: Settings) -> int:
    from app.pipeline import BuildFailed, Progress, build

    started = time.perf_counter()
    progress = Progress()
    try:
        published = build(settings, progress)
    except BuildFailed as e:
        print(e.report(), file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, a folder without permission: the previous release keeps serving
        stage = progress.stages[-1].name if progress.stages else "start"
        print(f"defcoop build: could not write the release ({stage} stage): {e}\n"
              f"nothing was published; the previous release keeps serving. Free space in or fix {settings.build_dir}"
              " and build again.", file=sys.stderr)
        return 1
    print(progress.table())
    print(summary(published.manifest, published.release.path, time.perf_counter() - started))
    if published.warnings:
        from app.pipeline.errors import warnings_report

        print(warnings_report(published.warnings, "published all the same"), file=sys.stderr)
    return 0


def summary(manifest: dict, path: Path, seconds: float) -> str:
    classes = ", ".join(f"{iri.rsplit('#', 1)[-1]} {n}" for iri, n in manifest["classes"].items())
    return "\n".join([
        f"built {manifest['triples']} triples ({manifest['quads']} quads in {manifest['graphs']} graphs, "
        f"{manifest['inferred_triples']} inferred), {manifest['claims']} claims from "
        f"{len(manifest['sources'])} files in {seconds:.1f}s",
        f"entities: {classes}",
        f"store: {path / 'store'}",
        f"dumps: {path / 'downloads'}",
    ])


def cmd_validate(args: argparse.Namespace) -> int:
    from app.pipeline import BuildFailed, Progress, check, data_files

    settings = _settings(args)
    with tempfile.TemporaryDirectory(prefix="defcoop-validate-") as tmp:
        # reuse the build's cache of unchanged files when there is one; never create a build folder
        cache = settings.build_dir / "cache" if (settings.build_dir / "cache").is_dir() else Path(tmp)
        try:
            checked = check(settings, data_files(settings, args.paths), Progress(), cache)
        except BuildFailed as e:
            print(e.report(), file=sys.stderr)
            return 1
        n, warnings = checked.quads, checked.warnings
        del checked
    if warnings:
        from app.pipeline.errors import warnings_report

        print(warnings_report(warnings, "valid all the same"), file=sys.stderr)
    print(f"valid: {', '.join(str(p) for p in args.paths)} ({n} quads checked with all data; nothing published)")
    return 0


def cmd_new_source(args: argparse.Namespace) -> int:
    from app.editor.new_source import SourceExists, new_source

    settings = _settings(args)
    try:
        made = new_source(settings, args.file, title=args.title, slug=args.slug, publisher=args.publisher,
                          published=args.date, url=args.url, language=args.language)
    except (OSError, UnicodeDecodeError, ValueError, SourceExists) as exc:
        print(f"defcoop new-source: {exc}", file=sys.stderr)
        return 1
    print(f"recorded {made.text_file} (sha256 {made.sha256}, {len(made.sentences)} sentences)\n"
          f"wrote {made.facts_file}: write each claim beside its sentence, then "
          f"`defcoop validate {made.facts_file}`")
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    from app.editor.lookup import lookup, report

    settings = _settings(args)
    found = lookup(settings, args.text)
    print(report(found, args.text, settings.base_iri))
    return 0 if found else 1


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.store_endpoint is None and current_release(settings.build_dir) is None:
        print("nothing published yet: building first", file=sys.stderr)
        if _build(settings) != 0:
            return 1
    from app.web.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(settings, host=args.host, port=args.port)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="defcoop", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    for name in SETTINGS:
        common.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE", help="setting " + name)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", parents=[common], help="check all data and publish it atomically")
    b.set_defaults(func=cmd_build)
    v = sub.add_parser("validate", parents=[common], help="check facts files against everything; publish nothing")
    v.add_argument("paths", nargs="+", type=Path)
    v.set_defaults(func=cmd_validate)
    n = sub.add_parser("new-source", parents=[common],
                       help="record a source text and write its facts skeleton, a numbered sentence per claim")
    n.add_argument("file", type=Path, help="the source text as received (UTF-8)")
    n.add_argument("--title", required=True, help="its title or headline, as given")
    n.add_argument("--slug", help="its name in data/ (default: from the file name)")
    n.add_argument("--publisher", help="who published it, as given")
    n.add_argument("--date", help="publication date: YYYY-MM-DD, YYYY-MM or YYYY")
    n.add_argument("--url", help="where it was published, as given")
    n.add_argument("--language", default="en", help="language tag of the text (default en)")
    n.set_defaults(func=cmd_new_source)
    lk = sub.add_parser("lookup", parents=[common],
                        help="find the IRI to use for a name: published entities, then ISO 3166 countries and "
                             "GeoNames cities")
    lk.add_argument("text")
    lk.set_defaults(func=cmd_lookup)
    s = sub.add_parser("serve", parents=[common], help="serve the published data (builds first if needed)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
