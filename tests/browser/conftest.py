"""Headless Chromium through Playwright's sync API, on Debian's `chromium` (Playwright's own download is not used).

Without Chromium the browser tests are skipped, unless DEFCOOP_REQUIRE_BROWSER=1 (CI sets it) makes that a
failure. Each page records the dialogs it opened and the script errors it raised or logged to the console (a failed
request, such as a 404 image, is one), which tests assert are none.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.config import ROOT
from app.pipeline.publish import Published
from tests.conftest import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium, or a skip (a failure when DEFCOOP_REQUIRE_BROWSER=1) if there is none."""
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("DEFCOOP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; DEFCOOP_REQUIRE_BROWSER=1 requires the browser tests to run")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tab:
    """A page with what it did that a user would notice: dialogs opened, uncaught script errors and console errors."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """A full-page screenshot in tests/artifacts/screenshots/{name}.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """`open_tab(viewport=PHONE)`: a fresh browser context and page (closed after the test)."""
    contexts = []

    def open_(viewport: dict[str, int] = DESKTOP) -> Tab:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        tab = Tab(page)

        def on_dialog(dialog: Any) -> None:
            tab.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: tab.errors.append(str(error)))
        page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
        return tab

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def site(live_server: Callable[..., LiveServer], published: Published) -> str:
    """The bundled build served by `defcoop serve`, as a reader's browser reaches it."""
    return live_server({"build_dir": published.release.path.parent.parent}).url
