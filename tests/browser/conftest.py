"""The browser tests' world: Touchpoint served on a loopback port, and Chromium driving it.

Chromium is Debian's `chromium` package (`make test` installs it with apt where it may);
Playwright's own browser download is never used. Without it, these tests are skipped and
say how to install it. One browser serves the whole run; each test gets fresh contexts,
so no cookie or storage leaks from one story into the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dispatch.settings import SmtpSettings, TwilioSettings
from tests.browser.live import LiveServer, LiveShop, listen_on_loopback
from web.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = (
    f"no Chromium at {CHROMIUM}: the browser tests need Debian's chromium package "
    "(`sudo apt-get install chromium`, or `make test` as root)"
)
NO_PLAYWRIGHT = "Playwright is not installed: `pip install -e '.[test]'` (or `make test`)"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
#: A common phone: 390 CSS pixels wide, touch, a mobile viewport.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # the test extras are not installed: the test modules cannot import
    collect_ignore_glob = ["test_*.py"]
    MISSING: str | None = NO_PLAYWRIGHT
else:
    MISSING = None if CHROMIUM.exists() else NO_CHROMIUM


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if MISSING:
        terminalreporter.write_line(f"browser tests skipped: {MISSING}", yellow=True, bold=True)


@pytest.fixture(scope="package")
def browser(served: LiveServer) -> Iterator[Browser]:
    """Chromium, headless, with a fresh profile of Playwright's making (deleted after).

    One for all the browser tests, closed when they are done: Playwright's sync API marks
    its event loop as running in this thread, so the async tests that follow need it gone.
    It starts after the server, whose set-up runs event loops of its own."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="package")
def served(
    database_url: str, redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app on 127.0.0.1 for the browser tests, against the tests' database and Redis."""
    if MISSING:
        pytest.skip(MISSING)
    listener = listen_on_loopback()
    port = listener.getsockname()[1]
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("live"),
        database_url=database_url,
        redis_url=redis_server,
        public_url=f"http://127.0.0.1:{port}",
        secret_key="a test key, not a secret one",
        twilio=TwilioSettings(),
        smtp=SmtpSettings(),
    )
    server = LiveServer(settings, listener)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live(served: LiveServer) -> LiveServer:
    """The live app, with an empty database and Redis for this test."""
    served.reset()
    return served


@pytest.fixture
def live_server(live: LiveServer) -> str:
    """The base URL of the live app, e.g. http://127.0.0.1:43817."""
    return live.url


@pytest.fixture
def shop(live: LiveServer) -> LiveShop:
    return LiveShop(live)


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh browser context with the given options (viewport, locale)."""
    contexts: list[BrowserContext] = []

    def open_page(**options: object) -> Page:
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop browser window."""
    return new_page(**DESKTOP)


@pytest.fixture
def phone(new_page: Callable[..., Page]) -> Page:
    """A phone: 390 x 844, touch."""
    return new_page(**PHONE)
