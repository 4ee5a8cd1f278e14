"""Steps shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page


def demo_password(live_server, label: str) -> tuple[str, str]:
    """(email, password) of a demo account, from what ``load_demo`` printed."""
    output = "\n".join(live_server.app.config["DEMO_OUTPUT"])
    match = re.search(rf"Demo {label} account: (\S+) / password (\S+)", output)
    assert match, output
    return match.group(1), match.group(2)


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    """Sign in through the sign-in form of ``live_server`` as ``email``."""
    page.goto(live_server.url("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
