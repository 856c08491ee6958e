"""What the browser tests share (conftest's `browser` fixture starts Chromium
with this): Debian's headless Chromium driven by Selenium, and axe-core's
check of a page (tests/browser/package-lock.json pins axe-core;
scripts/install_browser.sh installs both)."""

from __future__ import annotations

import json
import shutil
from typing import Any, List, Tuple

import pytest

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from devtools.paths import PROJECT  # noqa: E402

AXE = PROJECT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"


def executable(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"none of {names} found: run `make test` (scripts/install_browser.sh installs them)")


def start_chromium() -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = executable("chromium", "chromium-browser")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--lang=en-US",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=executable("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver


def serious_axe_violations(driver: Any) -> List[Tuple[str, str, str]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(function (r) { done(JSON.stringify(r.violations)); })"
        ".catch(function (e) { done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e)}])); });"
    )
    return [
        (v["id"], v["impact"], v.get("help", ""))
        for v in json.loads(result)
        if v.get("impact") in ("serious", "critical")
    ]
