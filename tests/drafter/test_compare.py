"""Comparing drafts and versions in the browser, and the redline exports."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Clause, Role, VersionCause
from drafter.services.versions import add_version
from tests.drafter.accounts_helpers import add_user
from tests.drafter.helpers import committed, import_text, instrument_md, signed_in

SLUG = "asean-migrant-workers"


def summary(html: str) -> dict[str, int]:
    return {k: int(v.replace(",", "")) for k, v in re.findall(r'<th scope="row">([^<]+)</th><td>([\d,]+)</td>', html)}


def test_draft_1_to_2_names_the_real_changes(client, demo):
    html = client.get(f"/i/{SLUG}/compare/?from=1&to=2").get_data(as_text=True)
    counts = summary(html)
    assert counts["Clauses added"] == 1
    assert counts["Clauses deleted"] == 0
    assert counts["Clauses changed"] == 11
    assert counts["Clauses renumbered"] == 18
    assert "Access to justice and remedies" in html
    assert "renumbered from Article 15 to Article 16" in html
    # "shall endeavour to take measures" -> "shall take measures" in Article 5(2)
    article5 = html.split('id="change-article-5"')[1].split("</section>")[0]
    assert re.search(r"<del[^>]*><span[^>]*>deleted: </span>endeavour to\s*</del>", article5)
    assert "<ins" not in article5
    # Unchanged clauses are collapsed, not repeated.
    assert re.search(r"<summary>\d+ unchanged clauses</summary>", html)


def test_defaults_compare_the_two_latest_drafts(client, demo):
    html = client.get(f"/i/{SLUG}/compare/").get_data(as_text=True)
    assert "Changes from Draft 1 to Draft 2" in html


def test_side_by_side_shows_two_columns(client, demo):
    html = client.get(f"/i/{SLUG}/compare/?from=1&to=2&view=side").get_data(as_text=True)
    # One pair of columns per clause whose text changed (all eleven changed clauses here).
    assert html.count('class="side-by-side"') == 11


def test_same_state_has_no_differences(client, demo):
    # Draft 2 against itself: the demo's current text has moved on (an accepted amendment).
    html = client.get(f"/i/{SLUG}/compare/?from=2&to=2").get_data(as_text=True)
    assert "No differences" in html


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=9&to=2", 404), ("from=one&to=2", 400), ("from=1&to=2&view=sideways", 400), ("from=-1&to=2", 400)],
)
def test_bad_parameters(client, demo, query, status):
    assert client.get(f"/i/{SLUG}/compare/?{query}").status_code == status


def test_redline_exports(client, demo):
    md = client.get(f"/i/{SLUG}/compare/redline.md?from=1&to=2")
    assert md.status_code == 200
    assert md.headers["Content-Disposition"].endswith('redline-1-to-2.md"')
    text = md.get_data(as_text=True)
    assert "{--endeavour to --}" in text or "{--endeavour to--}" in text
    assert "{++" in text
    html = client.get(f"/i/{SLUG}/compare/redline.html?from=1&to=2").get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>") and "<del" in html and "@media print" in html
    assert client.get(f"/i/{SLUG}/compare/redline.odt").status_code == 404


def test_clause_versions_compare(client, app):
    with committed(app):
        import_text(instrument_md(2, overrides={1: "Each Party shall take measures."}), "t")
        clause = db.session.scalar(select(Clause).where(Clause.key == "Article 1"))
        add_version(
            clause,
            number="Article 1",
            heading="Heading 1",
            text="Each Party should take measures.",
            cause=VersionCause.EDIT,
            actor=None,
        )
        secretariat = add_user("sec@example.org", role=Role.SECRETARIAT)
        db.session.commit()
    # Version 2 is not published: readers may compare published versions only.
    assert client.get("/i/t/c/article-1/compare/?from=1&to=2").status_code == 404
    assert "No differences" in client.get("/i/t/c/article-1/compare/").get_data(as_text=True)
    client = signed_in(app, secretariat.id)
    html = client.get("/i/t/c/article-1/compare/").get_data(as_text=True)
    assert re.search(r"<del[^>]*><span[^>]*>deleted: </span>shall</del>", html)
    assert re.search(r"<ins[^>]*><span[^>]*>inserted: </span>should</ins>", html)
    assert "1 word inserted, 1 deleted" in html and "1 words" not in html
    assert client.get("/i/t/c/article-1/compare/?from=1&to=7").status_code == 404
    assert client.get("/i/t/c/article-1/compare/?from=x").status_code == 400
    side = client.get("/i/t/c/article-1/compare/?view=side").get_data(as_text=True)
    assert 'class="side-by-side"' in side


def test_compare_query_count_does_not_grow(client, app, count_queries):
    with committed(app):
        import_text(instrument_md(5), "small")
        import_text(instrument_md(4), "small")
        import_text(instrument_md(150), "large")
        import_text(instrument_md(149), "large")
    with count_queries() as small:
        client.get("/i/small/compare/?from=1&to=2")
    with count_queries() as large:
        client.get("/i/large/compare/?from=1&to=2")
    assert small.count == large.count


def test_paragraph_moved_to_another_article_is_cited_on_the_compare_page(client, app):
    first = [
        "1. The Member States shall protect the wages of migrant workers.",
        "2. They shall recognise the skills certified in another Member State.",
        "3. They shall report each year on the measures they have taken.",
    ]
    second = ["1. The Member States shall open their labour markets step by step."]
    moved = {2: "\n\n".join([first[0], first[2].replace("3.", "2.", 1)]),
             3: "\n\n".join([second[0], first[1]])}  # fmt: skip
    with committed(app):
        import_text(instrument_md(4, overrides={2: "\n\n".join(first), 3: second[0]}), "moves")
        import_text(instrument_md(4, overrides=moved), "moves")
    html = client.get("/i/moves/compare/?from=1&to=2").get_data(as_text=True)
    for article in ("article-2", "article-3"):
        section = html.split(f'id="change-{article}"')[1].split("</section>")[0]
        assert "Article 2(2) is now Article 3(2)" in section


def short_articles_md(texts: list[str]) -> str:
    body = "\n".join(f"### Article {n} — {text.split()[0]}\n\n{text}\n" for n, text in enumerate(texts, start=1))
    return f"---\ntitle: Short\n---\n\n# Short\n\n## Part I — General\n\n{body}"


def test_reimport_with_an_article_inserted_before_short_articles_renumbers_them(client, app):
    texts = ["This instrument applies to migrant workers.", "Reserved.", "Reserved.",
             "This instrument enters into force on signature.", "Deleted.", "The Parties shall cooperate."]  # fmt: skip
    with committed(app):
        import_text(short_articles_md(texts), "short")
        uids = dict(db.session.execute(select(Clause.key, Clause.uid)).all())
        report = import_text(
            short_articles_md([texts[0], "The Parties shall consult each other.", *texts[1:]]), "short"
        )
        assert (report.added, report.deleted) == (["Article 2"], [])
        assert report.renumbered == [(f"Article {n}", f"Article {n + 1}") for n in range(2, len(texts) + 1)]
        after = dict(db.session.execute(select(Clause.key, Clause.uid)).all())
        assert all(after[f"Article {n + 1}"] == uids[f"Article {n}"] for n in range(2, len(texts) + 1))
    html = client.get("/i/short/compare/?from=1&to=2").get_data(as_text=True)
    counts = summary(html)
    assert (counts["Clauses added"], counts["Clauses deleted"], counts["Clauses changed"]) == (1, 0, 0)
    assert "Renumbered from Article 4 to Article 5" in html
