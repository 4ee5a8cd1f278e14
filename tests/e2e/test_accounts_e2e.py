"""A delegate registers, the secretariat approves the registration, the delegate signs in and out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

PASSWORD = "a delegate's long passphrase"


def test_register_approve_sign_in_sign_out(page: Page, live_server, tmp_path):
    # 1. A delegate of an organisation that is not listed yet (not in the demo either) registers.
    page.goto(live_server.url("/"))
    page.get_by_role("link", name="Register").click()
    page.get_by_label("Your name as others will see it").fill("Mekong Domestic Workers Alliance delegate")
    page.get_by_label("Email address").fill("delegate@mdwa.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Your organisation").select_option(label="My organisation is not listed: add it below")
    page.get_by_label("Name of the organisation").fill("Mekong Domestic Workers Alliance")
    page.get_by_label("Kind of organisation").select_option(label="NGO")
    page.get_by_label("Country").select_option(label="Regional / other")
    page.screenshot(path=str(tmp_path / "register.png"), full_page=True)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("The secretariat will review your registration")

    # 2. Until approved, signing in is refused with a clear reason.
    sign_in(page, live_server, "delegate@mdwa.example", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("waiting for approval")

    # 3. The secretariat approves the registration and signs out.
    sign_in(page, live_server, *demo_password(live_server, "secretariat"))
    expect(page.get_by_role("status")).to_contain_text("You are signed in")
    page.get_by_role("link", name="Registrations").click()
    expect(page.get_by_text("delegate@mdwa.example")).to_be_visible()
    page.get_by_role("button", name="Approve Mekong Domestic Workers Alliance delegate").click()
    expect(page.get_by_role("status")).to_contain_text("Approved Mekong Domestic Workers Alliance delegate")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    # 4. The delegate signs in, sees their organisation, and signs out.
    sign_in(page, live_server, "delegate@mdwa.example", PASSWORD)
    expect(page.get_by_role("status")).to_contain_text("Welcome, Mekong Domestic Workers Alliance delegate")
    expect(page.locator(".who")).to_contain_text("Mekong Domestic Workers Alliance")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(live_server.url("/account/"))
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/account/"))
