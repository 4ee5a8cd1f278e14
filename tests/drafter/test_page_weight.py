"""Page weight: a draft of the demo is light enough for a delegate on a slow connection.

Budget: the draft page, with every style sheet and script it loads,
is under 150 KB as sent, without images, and uses no JavaScript framework:
only the app's own small scripts from ``static/js``. Sizes are counted
uncompressed, so the budget holds even where no proxy compresses responses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.drafter.accounts_helpers import add_org, add_user, put_in_session
from tests.drafter.helpers import committed

BUDGET = 150 * 1024
#: The app's scripts together stay this small (a framework alone is several times more).
SCRIPTS_BUDGET = 20 * 1024
#: Names of JavaScript frameworks and libraries that must not appear in what the page loads.
FRAMEWORKS = re.compile(
    r"react|vue|angular|jquery|svelte|ember|backbone|alpine|htmx|preact|lit-element|bootstrap", re.IGNORECASE
)


class Assets(HTMLParser):
    """Collects the scripts and style sheets a page loads, and inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            if values.get("src"):
                self.scripts.append(values["src"])
            else:
                self._in_script = True
        elif tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            self.styles.append(values["href"])

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1


@pytest.fixture
def demo(app):
    from drafter.demo import load_demo

    with committed(app):
        list(load_demo())
        return add_user("weight@example.org", organisation=add_org("Weight Watchers Network"))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in delegate"])
@pytest.mark.parametrize("path", ["/i/asean-migrant-workers/drafts/2/", "/i/asean-migrant-workers/"])
def test_the_demo_draft_page_is_under_budget(client, demo, path, signed_in):
    if signed_in:
        put_in_session(client, demo)
    page = client.get(path, follow_redirects=True)  # readers open the instrument on its latest draft
    assert page.status_code == 200
    assets = Assets()
    assets.feed(page.get_data(as_text=True))
    assert assets.inline_scripts == 0
    assert assets.styles, "the page has its style sheet"
    total = len(page.get_data())
    scripts = 0
    for url in assets.styles + assets.scripts:
        assert url.startswith("/static/"), f"{url} comes from elsewhere"
        assert not FRAMEWORKS.search(url), url
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data()
        response.close()
        total += len(body)
        if url in assets.scripts:
            assert url.split("?")[0].startswith("/static/js/"), url
            assert not FRAMEWORKS.search(body.decode("utf-8", "replace")[:2000]), f"{url} looks like a framework"
            scripts += len(body)
    assert scripts <= SCRIPTS_BUDGET
    assert total < BUDGET, f"{path}: {total / 1024:.0f} KB with its style sheets and scripts"


def test_every_script_in_static_is_small_and_our_own():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "static" / "js"
    files = sorted(folder.glob("*.js")) if folder.is_dir() else []
    assert sum(f.stat().st_size for f in files) <= SCRIPTS_BUDGET
    for f in files:
        assert not FRAMEWORKS.search(f.name), f.name
