"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Never downloads a browser: the executable is ``/usr/bin/chromium`` (or
``$DRAFTER_CHROMIUM``). Without it the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("DRAFTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as e2e; skip them when Chromium is missing outside CI."""
    have = Path(CHROMIUM).exists()
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not have and not os.environ.get("CI"):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium instead of a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


class LiveServer:
    """A Drafter app served on a free loopback port in a daemon thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this server."""
        return self.base_url + path


@pytest.fixture
def live_app(tmp_path):
    """A Drafter app with a file-backed database holding the demo (accounts included when available)."""
    from drafter import create_app
    from drafter.demo import load_demo
    from drafter.extensions import db
    from tests.conftest import database_url, reset_schema

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-secret",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        reset_schema(db)
        app.config["DEMO_OUTPUT"] = list(load_demo())
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Serve :func:`live_app`; yields a :class:`LiveServer` with ``base_url``."""
    server = LiveServer(live_app)
    server.thread.start()
    yield server
    server.server.shutdown()
    server.thread.join(timeout=5)
