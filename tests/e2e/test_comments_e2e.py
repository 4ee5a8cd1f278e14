"""A delegate selects words in a clause, comments on them, and sees the words highlighted."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import demo_password, sign_in

SLUG = "asean-migrant-workers"


def test_select_words_and_comment_on_them(page: Page, live_server, tmp_path):
    sign_in(page, live_server, *demo_password(live_server, "stakeholder"))
    expect(page.get_by_role("status")).to_contain_text("You are signed in")
    page.goto(live_server.url(f"/i/{SLUG}/c/article-9/"))
    text = page.locator("[data-comment-source]")
    expect(text).to_be_visible()

    # Select the words with the mouse: from the start of "emergency" to the end of "care".
    paragraph = text.locator("p").first
    words = "emergency medical care"
    box = page.evaluate(
        """([selector, words]) => {
            const p = document.querySelector(selector);
            const node = [...p.childNodes].find(n => n.nodeType === 3 && n.data.includes(words));
            const at = node.data.indexOf(words);
            const range = document.createRange();
            range.setStart(node, at); range.setEnd(node, at + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, at + words.length - 1); range.setEnd(node, at + words.length);
            const last = range.getBoundingClientRect();
            return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        ["[data-comment-source] p", words],
    )
    assert words in paragraph.inner_text()
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    button = page.get_by_role("button", name="Comment on the selected words")
    expect(button).to_be_visible()
    expect(page.locator("[data-comment-status]")).to_contain_text(words)

    # The button works from the keyboard, and focus moving to it keeps the selection.
    button.focus()
    page.keyboard.press("Enter")
    quote = page.get_by_label("Words you are commenting on (optional)")
    expect(quote).to_have_value(words)
    body = page.get_by_label("Your comment")
    expect(body).to_be_focused()
    assert page.locator("[data-comment-field=start]").input_value().isdigit()
    assert page.locator("[data-comment-field=prefix]").input_value().strip() != ""

    page.get_by_label("Kind of comment").select_option(label="Support")
    body.fill("Clinics must give this care *without reporting patients* to immigration authorities.")
    page.screenshot(path=str(tmp_path / "comment-form.png"), full_page=True)
    page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_role("status")).to_contain_text("Your comment is posted")
    expect(page).to_have_url(re.compile(r"/c/article-9/#comment-\d+$"))
    mark = page.locator("[data-comment-source] mark.quoted")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(words)
    card = page.locator("article.comment", has_text="Clinics must give this care")
    expect(card.locator("mark.quoted")).to_have_text(words)
    expect(card.locator("em")).to_have_text("without reporting patients")
    expect(card).to_contain_text("Migrant Forum in Asia")
    page.screenshot(path=str(tmp_path / "comment-posted.png"), full_page=True)


def test_demo_comment_shows_that_its_words_changed(page: Page, live_server, tmp_path):
    page.goto(live_server.url(f"/i/{SLUG}/c/article-12/"))
    card = page.locator("article.comment", has_text="employer-pays principle")
    expect(card).to_contain_text("The quoted words have changed since")
    expect(card.locator("blockquote")).to_contain_text(
        "Recruitment fees charged to migrant workers shall be reasonable"
    )
    card.get_by_role("link", name="version 1 of the clause").click()
    expect(page.locator("[data-comment-source] mark.quoted")).to_have_text(
        "Recruitment fees charged to migrant workers shall be reasonable"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url(f"/i/{SLUG}/c/article-12/"))
    page.screenshot(path=str(tmp_path / "clause-phone.png"), full_page=True)
