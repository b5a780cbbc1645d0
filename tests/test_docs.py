"""The README stays true: its commands are the ones CI runs, and every setting is documented."""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
from pathlib import Path

from app import cli
from app.config import ROOT, Settings
from app.web import create_app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```\n(.+?)\n```", README, re.S)
    assert match, f"README lacks the {marker} block"
    return match.group(1).strip()


def test_quick_start_has_exactly_two_commands() -> None:
    assert "defcoop serve" in readme_command("run-command")
    assert "pytest" in readme_command("test-command")
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert quick_start.count("```\n") == 4  # two fenced blocks


def test_ci_runs_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    extracted = subprocess.run(
        ["awk", r"/<!-- test-command -->/{f=1; next} f && /^```/{n++; if (n==2) exit; next} f && n==1",
         str(ROOT / "README.md")], capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == readme_command("test-command")
    assert "awk '/<!-- test-command -->/" in script.read_text()


def test_every_setting_is_documented() -> None:
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for field in dataclasses.fields(Settings):
        assert f"| `{field.name}` |" in table, f"setting {field.name} is not in the README's settings table"


def readme_routes() -> set[str]:
    """The routes in the first column of the README's table under "Using the site", placeholders as `{}` and
    query strings left out: `/id/{type}/{slug}` → `/id/{}/{}`, `/search?q=…` → `/search`."""
    section = README.split("## Using the site", 1)[1].split("\n## ", 1)[0]
    cells = re.findall(r"^\| (`/.+?) \|", section, re.M)
    assert cells, "the README's route table is missing"
    routes = [route for cell in cells for route in re.findall(r"`([^`]+)`", cell)]
    return {re.sub(r"\{[^}]*\}", "{}", route.split("?", 1)[0]) for route in routes}


def app_routes(build_dir: Path) -> set[str]:
    """The routes of the Flask app (static files left out), placeholders as `{}`: `/id/<kind>/<name>` → `/id/{}/{}`."""
    app = create_app({"build_dir": build_dir, "sparql_workers": 1})
    try:
        return {re.sub(r"<[^>]*>", "{}", rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    finally:
        app.extensions["defcoop.sparql"].close()


def test_the_readme_route_table_lists_exactly_the_apps_routes(tmp_path: Path) -> None:
    documented, served = readme_routes(), app_routes(tmp_path)
    assert documented == served, (f"served but not in the README: {sorted(served - documented)}; "
                                  f"in the README but not served: {sorted(documented - served)}")


def readme_default(default: object) -> str:
    """How the README's settings table writes a default: paths relative to the repository, `none` for nothing."""
    if default is None or default == ():
        return "none"
    if isinstance(default, Path):
        return f"`{default.relative_to(ROOT)}/`"
    return f"`{default:g}`" if isinstance(default, float) else f"`{default}`"


def test_the_readme_states_every_settings_default() -> None:
    table = README.split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", table, re.M))
    for name, default in dataclasses.asdict(Settings()).items():
        assert rows.get(name) == readme_default(default), f"the README gives setting {name} another default"


def test_every_setting_is_a_flag_of_every_defcoop_command() -> None:
    for field in dataclasses.fields(Settings):
        flag = "--" + field.name.replace("_", "-")
        for command in (["build"], ["validate", "facts.trig"], ["serve"]):
            assert getattr(cli.parser().parse_args([*command, flag, "7"]), field.name) == "7", (command, flag)
    args = cli.parser().parse_args(["serve", "--sparql-allowed-services", "http://a.example/ http://b.example/"])
    assert cli._settings(args).sparql_allowed_services == ("http://a.example/", "http://b.example/")


def test_the_architecture_page_has_a_paragraph_per_top_level_folder() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = {path.split("/", 1)[0] for path in tracked.splitlines() if "/" in path}
    assert folders
    for folder in folders:
        assert f"**`{folder}/`**" in page, f"docs/architecture.md has no paragraph on {folder}/"
    assert "(docs/architecture.md)" in README


def test_every_defcoop_command_is_in_the_readme_commands_table() -> None:
    table = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `defcoop ([a-z-]+)", table, re.M))
    commands = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert listed == set(commands)
