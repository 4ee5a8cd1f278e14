"""Provenance of a clause's text: after accepted amendments, each span names the version, amendment,
organisation and consultation inputs behind it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Consultation, Input, Instrument
from drafter.services import drafts
from drafter.services.consultations import operations as consultation_operations
from drafter.services.traceability import provenance
from tests.drafter.amendments_helpers import accept, clause, propose, user
from tests.drafter.consultations_helpers import record_workshop, secretariat_edit
from tests.drafter.helpers import in_db, signed_in

TEXT = "1. The Parties shall give effect to obligation number 1 in good faith and without delay."


@pytest.fixture
def people(make_people):
    return make_people(slug="t", articles=2, texts={1: TEXT}, public=True)


def publish(app, slug: str = "t") -> None:
    """Publish the working draft of ``slug``: readers other than the secretariat see published versions only."""

    def do():
        drafts.publish_draft(db.session.scalar(select(Instrument).where(Instrument.slug == slug)), actor=None)

    in_db(app, do)


def _input(people, title: str, organisations: list[int]) -> Input:
    from drafter.models import Instrument

    workshop = db.session.scalar(select(Consultation))
    if workshop is None:
        workshop = record_workshop(db.session.scalar(select(Instrument)), user(people.secretariat))
    return consultation_operations.add_input(
        workshop,
        consultation_operations.InputData(kind="recommendation", title=title, organisation_ids=organisations),
        actor=user(people.secretariat),
    )


def amend_and_accept(
    people, proposer: int, old: str, new: str, input_title: str, organisations, **kwargs
) -> tuple[int, int]:
    """An amendment replacing ``old`` by ``new`` in Article 1, citing a new input, accepted; (amendment id, version id)."""
    current = clause("Article 1").current_version.text
    amendment_id = propose(proposer, current.replace(old, new), **kwargs)
    item = _input(people, input_title, organisations)
    consultation_operations.link_amendment(
        item, db.session.get(Amendment, amendment_id), actor=user(people.secretariat)
    )
    db.session.commit()
    version = accept(amendment_id, people.secretariat).version
    return amendment_id, version.id


def two_amendments(people) -> dict:
    first = amend_and_accept(
        people,
        people.mfa,
        "in good faith",
        "in good faith and in full",
        "Wages in full",
        [people.mfa_org],
        sponsor_ids=[people.mmn_org],
    )
    second = amend_and_accept(
        people, people.asetuc, "without delay", "within one year", "A deadline for States", [people.asetuc_org]
    )
    return {"first": first, "second": second, "v1": clause("Article 1").versions[0].id}


def origin_of(prov, words: str) -> int:
    """The version that introduced ``words`` (all in one span) in a provenance."""
    start = prov.text.index(words)
    for seg_start, seg in _with_offsets(prov):
        if seg_start <= start < seg_start + len(seg.text):
            assert start + len(words) <= seg_start + len(seg.text), f"{words!r} spans several origins"
            return seg.origin
    raise AssertionError(words)


def _with_offsets(prov):
    offset = 0
    for seg in prov.segments:
        yield offset, seg
        offset += len(seg.text)


def test_after_two_accepted_amendments_each_span_names_its_version(app, people):
    def check():
        ids = two_amendments(people)
        (a1, v2), (_a2, v3) = ids["first"], ids["second"]
        prov = provenance(clause("Article 1"))
        assert (
            prov.text
            == "1. The Parties shall give effect to obligation number 1 in good faith and in full and within one year."
        )
        assert "".join(s.text for s in prov.segments) == prov.text
        assert origin_of(prov, "The Parties shall give effect") == ids["v1"]
        assert origin_of(prov, "in full and") == v2  # the first "and" is the one Version 1 had
        assert origin_of(prov, "within one year") == v3
        assert [o.version.seq for o in prov.legend] == [1, 2, 3]
        assert (
            prov.origins[v2].amendment.id == a1
            and prov.origins[v2].amendment.organisation.name == "Migrant Forum in Asia"
        )
        assert [s.name for s in prov.origins[v2].amendment.sponsors] == ["Mekong Migrant Network"]
        assert [i.title for i in prov.origins[v2].inputs] == ["Wages in full"]
        assert [i.title for i in prov.origins[v3].inputs] == ["A deadline for States"]
        assert prov.origins[ids["v1"]].amendment is None and prov.origins[ids["v1"]].inputs == ()
        # The words "within one year" replaced "without delay": their history holds the version that wrote those too.
        story = next(s for s in prov.stories if s.origin == v3)
        assert story.history == (ids["v1"], v3)
        # Unchanged words keep their origin when looking at an earlier version.
        earlier = provenance(clause("Article 1"), 2)
        assert "within one year" not in earlier.text
        assert origin_of(earlier, "in full") == v2 and origin_of(earlier, "The Parties") == ids["v1"]

    in_db(app, check)


class _Spans(HTMLParser):
    """Collects (class, text) of the provenance spans and the ids/targets of anchors."""

    def __init__(self):
        super().__init__()
        self.spans: list[list[str]] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#story-"):
            self.hrefs.append(attrs["href"][1:])
        if tag == "span" and "prov" in (attrs.get("class") or "").split() and "swatch" not in attrs.get("class", ""):
            self._open = [attrs["class"], ""]
            self.spans.append(self._open)

    def handle_endtag(self, tag):
        if tag == "span":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data


def test_the_provenance_page_shades_spans_and_tells_their_story(app, client, people):
    ids = in_db(app, two_amendments, people)
    (a1, _), (a2, _) = ids["first"], ids["second"]
    signed_in(app, people.asetuc, client)
    # The second amendment was proposed on Draft 2, which holds the first one's version; until the
    # next draft is published, the second one's version is the secretariat's alone.
    unpublished = client.get("/i/t/c/article-1/provenance").get_data(as_text=True)
    assert "in full and" in unpublished and "within one year" not in unpublished
    assert "Version 2" in unpublished and "Version 3" not in unpublished
    assert client.get("/i/t/c/article-1/provenance?version=3").status_code == 404
    publish(app)
    page = client.get("/i/t/c/article-1/provenance").get_data(as_text=True)
    parsed = _Spans()
    parsed.feed(page)
    shaded = {text.strip(): cls for cls, text in parsed.spans}
    assert shaded["in full and"] == "prov o2" and shaded["within one year"] == "prov o3"
    assert any(cls == "prov o1" and "The Parties shall give effect" in text for cls, text in parsed.spans)
    # Every marker leads to a story in the list, and every story back to the text.
    assert parsed.hrefs and set(parsed.hrefs) <= parsed.ids
    assert {f"at-{h.split('-')[1]}" for h in parsed.hrefs} <= parsed.ids
    for words in (
        f"Amendment {a1}",
        f"Amendment {a2}",
        "proposed by Migrant Forum in Asia with Mekong Migrant Network",
        "proposed by ASETUC",
        "Wages in full",
        "A deadline for States",
        "accepted on",
    ):
        assert words in page
    # The redlines lead from one published version to the next.
    assert f"/i/t/amendments/{a1}/" in page and "/i/t/c/article-1/compare/?from=2&amp;to=3" in page
    # Readable without colour: the style classes differ by border, and markers are numbers in brackets.
    assert re.search(r"\[\d\]</a></sup>", page)


def test_an_edit_citing_inputs_shows_them_and_anonymous_readers_see_no_amendment_links(app, client, people):
    def build():
        edit = secretariat_edit(clause("Article 1"), user(people.secretariat), "without delay", "promptly")
        item = _input(people, "Speed matters", [people.asetuc_org])
        consultation_operations.cite_in_version(item, edit, actor=user(people.secretariat))
        db.session.commit()

    in_db(app, build)
    publish(app)
    page = client.get("/i/t/c/article-1/provenance").get_data(as_text=True)
    assert "edited by the secretariat" in page and "Speed matters" in page and "ASETUC" in page
    assert "/amendments/" not in page


def test_bad_version_numbers(app, client, people):
    assert client.get("/i/t/c/article-1/provenance?version=7").status_code == 404
    assert client.get("/i/t/c/article-1/provenance?version=two").status_code == 400
    assert client.get("/i/t/c/article-9/provenance").status_code == 404


def test_the_provenance_page_runs_the_same_queries_for_2_or_6_amendments(app, client, people, count_queries):
    figures = []

    def amend(k: int):
        amend_and_accept(
            people,
            people.mfa if k % 2 else people.asetuc,
            "number 1",
            f"number 1 ({k})",
            f"Input {k}",
            [people.mfa_org, people.asetuc_org],
        )

    for total in (2, 6):
        in_db(app, lambda total=total: [amend(k) for k in range(len(figures) * 2, total)])
        publish(app)
        with count_queries() as counter:
            response = client.get("/i/t/c/article-1/provenance")
        assert response.status_code == 200 and f"Input {total - 1}" in response.get_data(as_text=True)
        figures.append(counter.count)
    assert figures[0] == figures[1], figures
