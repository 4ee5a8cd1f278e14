"""No reader but the secretariat ever receives text that is not in a published draft.

The route-by-role walk of ``test_permissions_matrix`` again, in its world, made public: after
Draft 2 the secretariat rewrites Article 2 (a sentinel word in its number, heading and text)
and accepts with modifications the stakeholder's amendment to Article 1, written on the
published text, with its own wording (a second sentinel), and so a new clause the stakeholder
proposed after Article 2 (the second sentinel in its number, heading and text). Every GET route, with every URL
value, each draft, each export format and the query arguments that choose a text or a
version, is then asked by a stakeholder, a stakeholder of another organisation and an
anonymous visitor: no answer (page, download, CSV) may hold either sentinel. Once Draft 3 is
published, both readers find the new wording on the clause page and in the export.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from itertools import product

import pytest
from flask import url_for
from sqlalchemy import select

from drafter.extensions import db
from drafter.models import Amendment, Clause, ClauseVersion, Instrument, User, VersionCause
from drafter.services import drafts, exports
from drafter.services.amendments.decisions import decide
from drafter.services.amendments.operations import propose
from drafter.services.versions import add_version
from tests.drafter.helpers import committed, signed_in, text_of
from tests.drafter.test_permissions_matrix import routes, world  # noqa: F401 (the fixture)

#: Put by the secretariat in Article 2's number, heading and text.
EDITED = "Quillfeather"
#: The secretariat's wording of the amendment it accepts on Article 1.
MERGED = "Marrowstone"
READERS = ("stakeholder", "other_org", "anonymous")
SLUG = "members-only"


def _publish(app, secretariat_id: int) -> int:
    with committed(app):
        instrument = db.session.scalar(select(Instrument).where(Instrument.slug == SLUG))
        return drafts.publish_draft(instrument, actor=db.session.get(User, secretariat_id), note="Next round").number


@pytest.fixture
def unpublished(app, world):  # noqa: F811 (the fixture imported above)
    """The world made public, Draft 2 published, then the secretariat's unpublished changes."""
    secretariat_id = world.user_ids["secretariat"]
    with committed(app):
        db.session.scalar(select(Instrument).where(Instrument.slug == SLUG)).is_public = True
    assert _publish(app, secretariat_id) == 2
    with committed(app):
        secretariat = db.session.get(User, secretariat_id)
        article_2 = db.session.scalar(select(Clause).where(Clause.key == "Article 2"))
        current = article_2.current_version
        add_version(
            article_2,
            number=f"Article 2 {EDITED}",
            heading=f"{EDITED} heading",
            text=current.text + f" The {EDITED} clause applies.",
            cause=VersionCause.EDIT,
            actor=secretariat,
            base_version_id=current.id,
        )
        amendment = db.session.get(Amendment, world.url_values["amendment_id"])
        decide(
            amendment,
            actor=secretariat,
            outcome="accepted_with_modifications",
            reason="Accepted in the secretariat's words.",
            text=f"1. The Parties shall apply the {MERGED} standard in good faith.",
        )
        # A new clause after Article 2, from an amendment written on the published text: never published.
        insertion = propose(
            article_2,
            actor=db.session.get(User, world.user_ids["stakeholder"]),
            kind="insert",
            base_version_id=current.id,
            rationale="A clause on remedies.",
            text="1. Remedies shall be available.",
            heading="Remedies",
            number="Article 3",
            submit=True,
        )
        decide(
            insertion,
            actor=secretariat,
            outcome="accepted_with_modifications",
            reason="Accepted in the secretariat's words.",
            text=f"1. The {MERGED} remedies shall be available.",
            heading=f"{MERGED} remedies",
            number=f"Article 3 {MERGED}",
        )
    return world


def _versions_seqs(app) -> list[int]:
    with app.app_context():
        return sorted(set(db.session.scalars(select(ClauseVersion.seq))))


def _variants(app, endpoint: str, rule) -> list[str]:
    """Query strings that choose another text or version on this route."""
    out = ["", "?draft=1", "?draft=2", "?format=csv", "?lines=1"]
    if endpoint.startswith("compare."):
        out += ["?from=1&to=2", "?from=2&to=1", "?from=2&to=current", "?from=current&to=current"]
        out += [f"?from=1&to={n}" for n in _versions_seqs(app)] + [f"?to={n}" for n in _versions_seqs(app)]
    if endpoint == "traceability.provenance":
        out += [f"?version={n}" for n in _versions_seqs(app)]
    return out


def _formats(endpoint: str) -> list[str]:
    if endpoint == "instruments.export":
        return sorted(exports.FORMATS)
    if endpoint == "compare.export":
        return sorted(exports.REDLINE_FORMATS)
    return ["md"]


def readable_text(response) -> str:
    """What a reader can read in a response: text, the XML parts of a Word file, the text of a PDF."""
    data = response.get_data()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as docx:
            return "\n".join(docx.read(n).decode("utf-8", "replace") for n in docx.namelist() if n.endswith(".xml"))
    if data[:5] == b"%PDF-":
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return data.decode("utf-8", "replace")


def test_no_reader_receives_unpublished_text(app, unpublished):
    the_world = unpublished
    clients = {
        who: app.test_client() if who == "anonymous" else signed_in(app, the_world.user_ids[who]) for who in READERS
    }
    secretariat = signed_in(app, the_world.user_ids["secretariat"])
    # The sentinels are there to be found: the secretariat reads them in its working draft.
    working = text_of(secretariat.get(f"/i/{SLUG}/"))
    assert EDITED in working and MERGED in working
    with app.app_context():
        uids = {c.key: c.uid for c in db.session.scalars(select(Clause))}
        # The new clause's stable id (made from its number) names it: only its own URLs may hold it.
        (hidden_uid,) = [c.uid for c in db.session.scalars(select(Clause)) if MERGED.lower() in c.uid]
    leaks, asked = [], 0
    for endpoint, rule in routes(app):
        if "GET" not in rule.methods:
            continue
        urls = set()
        for number, fmt, uid in product((1, 2), _formats(endpoint), sorted(uids.values())):
            values = {**the_world.url_values, "number": number, "fmt": fmt, "uid": uid}
            with app.test_request_context():
                urls.add(url_for(endpoint, **{arg: values[arg] for arg in rule.arguments}))
        for url in sorted(urls):
            for query in _variants(app, endpoint, rule):
                for who, client in clients.items():
                    response = client.get(url + query)
                    asked += 1
                    assert response.status_code < 500, f"{url}{query} as {who}: {response.status_code}"
                    body = readable_text(response)
                    found = [word for word in (EDITED, MERGED) if word in body]
                    if hidden_uid in body and hidden_uid not in url:
                        found.append(hidden_uid)
                    if found:
                        leaks.append(f"{url}{query} as {who}: {', '.join(found)}")
    assert asked > 1000
    assert not leaks, "unpublished text reached readers:\n" + "\n".join(sorted(set(leaks)))

    # Published, the new wording reaches every reader.
    assert _publish(app, the_world.user_ids["secretariat"]) == 3
    for who, client in clients.items():
        article_2 = text_of(client.get(f"/i/{SLUG}/c/{uids['Article 2']}/"))
        article_1 = text_of(client.get(f"/i/{SLUG}/c/{uids['Article 1']}/"))
        assert EDITED in article_2 and MERGED in article_1, who
        for fmt in ("md", "html", "akn", "docx"):
            body = readable_text(client.get(f"/i/{SLUG}/export.{fmt}"))
            assert EDITED in body and MERGED in body, (who, fmt)
