"""Browser tests: Playwright drives Debian's Chromium against Django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import missing

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    """Run axe-core in the page; return its violations (each with id, help and nodes)."""
    if not AXE.exists():
        missing("node_modules/axe-core is missing (npm ci)")

    def run(page) -> list[dict]:
        # Evaluated by the browser's devtools protocol: an inline <script> tag
        # (page.add_script_tag) would be refused by our Content-Security-Policy.
        page.evaluate(AXE.read_text(encoding="utf-8"))
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: [
                    'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
                return {
                    passes: r.passes.length,
                    violations: r.violations.map(v => ({
                        id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})),
                };
            }"""
        )
        assert result["passes"] > 10, "axe-core checked (almost) nothing: is it loaded?"
        return result["violations"]

    return run
