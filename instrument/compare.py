"""The comparison of two states of an instrument, clause by clause.

:func:`compare_clauses` matches the clauses of two states of an instrument
and reports, for each, whether it was added, deleted, changed, renumbered or
moved, with its redline (from :mod:`instrument.diff`), and which of its
paragraphs and points kept their words under another reference
(:func:`renumbered_units`, :func:`moved_units`).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from instrument.diff import Redline, cached_redline, count_words, redline
from instrument.matching import MIN_TEXT_FOR_MOVE
from instrument.numbering import reference, split_units, unit_path
from instrument.text import comparison_form
from instrument.types import ClauseKind, ClauseState

Status = Literal["added", "deleted", "changed", "unchanged"]

#: The redline of a clause whose text did not change (a frozen value, safe to share as a default).
_NO_REDLINE = Redline(())


@dataclass(frozen=True)
class ClauseChange:
    """What happened to one clause between two states.

    :ivar key: the clause's key in the new state (in the old state for a
        deleted clause).
    :ivar old_key: the clause's key in the old state; ``None`` for an added
        clause. Differs from ``key`` when the clause was recognised by its
        text under another key (see :func:`compare_clauses`).
    :ivar status: ``"added"``, ``"deleted"``, ``"changed"`` (text or heading
        differs) or ``"unchanged"``.
    :ivar old: the clause in the old state, ``None`` if added.
    :ivar new: the clause in the new state, ``None`` if deleted.
    :ivar renumbered: the number label differs ("Art 5" is now "Art 7"), or
        the clause was found under another key.
    :ivar moved: the clause has another parent, or its order among the
        siblings it kept changed.
    :ivar heading_changed: the heading differs (beyond whitespace and normalisation).
    :ivar redline: the text's redline (all insertion for an added clause,
        all deletion for a deleted one).
    :ivar heading_redline: the heading's redline when ``heading_changed``, else ``None``.
    :ivar words_inserted: words inserted in text and heading.
    :ivar words_deleted: words deleted from text and heading.
    :ivar units_renumbered: paragraphs and points whose words stayed the same
        under another reference, as ``("Article 15(3)", "Article 16(2)")``
        pairs: first those renumbered inside the clause (see
        :func:`renumbered_units`), then those that came from or went to
        another clause (see :func:`moved_units`), listed in both clauses.
    """

    key: str
    old_key: str | None
    status: Status
    old: ClauseState | None
    new: ClauseState | None
    renumbered: bool = False
    moved: bool = False
    heading_changed: bool = False
    redline: Redline = _NO_REDLINE
    heading_redline: Redline | None = None
    words_inserted: int = 0
    words_deleted: int = 0
    units_renumbered: tuple[tuple[str, str], ...] = ()

    @property
    def text_changed(self) -> bool:
        """Whether the text (not only the heading) was changed, added or deleted."""
        return self.redline.changed

    @property
    def description(self) -> str:
        """A short account in words, e.g. ``"heading changed; moved"``,
        ``"renumbered from Art 5 to Art 7"`` or ``"added; Article 4(2) is now Article 7(1)"``."""
        units = [f"{old} is now {new}" for old, new in self.units_renumbered]
        if self.status in ("added", "deleted"):
            return "; ".join([self.status, *units])
        parts: list[str] = []
        if self.text_changed:
            parts.append("text changed")
        if self.heading_changed:
            parts.append("heading changed")
        if self.renumbered and self.old is not None and self.new is not None:
            parts.append(f"renumbered from {self.old.number or self.old.key} to {self.new.number or self.new.key}")
        if self.moved:
            parts.append("moved")
        parts.extend(units)
        return "; ".join(parts) or "unchanged"


@dataclass(frozen=True)
class Comparison:
    """The comparison of two states of an instrument.

    :ivar changes: one entry per clause of either state, in the new state's
        order; a deleted clause comes right after the clause that preceded it
        in the old state.
    :ivar clauses_added: count of ``status == "added"``.
    :ivar clauses_deleted: count of ``status == "deleted"``.
    :ivar clauses_changed: count of ``status == "changed"`` (text or heading).
    :ivar clauses_moved: count of ``moved``.
    :ivar clauses_renumbered: count of ``renumbered``.
    :ivar clauses_heading_changed: count of ``heading_changed``.
    :ivar words_inserted: sum over the changes.
    :ivar words_deleted: sum over the changes.
    """

    changes: tuple[ClauseChange, ...]
    clauses_added: int = 0
    clauses_deleted: int = 0
    clauses_changed: int = 0
    clauses_moved: int = 0
    clauses_renumbered: int = 0
    clauses_heading_changed: int = 0
    words_inserted: int = 0
    words_deleted: int = 0

    @property
    def changed(self) -> bool:
        """Whether any clause was added, deleted, changed, moved or renumbered."""
        return any(c.status != "unchanged" or c.moved or c.renumbered for c in self.changes)

    def find(self, key: str) -> ClauseChange | None:
        """Return the change of the clause with ``key`` in the new state, or
        (for a deleted clause) in the old state; ``None`` if there is none."""
        for change in self.changes:
            if change.key == key:
                return change
        return None


def longest_increasing_subsequence(values: Sequence[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence of ``values``.

    Patience sorting with back-pointers, O(n log n).

    :param values: a sequence of integers.
    :returns: the set of indices into ``values`` forming the subsequence.
    """
    tails: list[int] = []  # tails[k]: values-index ending the best run of length k+1
    tail_values: list[int] = []
    back: list[int | None] = [None] * len(values)
    for index, value in enumerate(values):
        k = bisect_left(tail_values, value)
        back[index] = tails[k - 1] if k else None
        if k == len(tails):
            tails.append(index)
            tail_values.append(value)
        else:
            tails[k] = index
            tail_values[k] = value
    out: set[int] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        out.add(cursor)
        cursor = back[cursor]
    return out


def _identity(clause: ClauseState) -> tuple[str, ...] | None:
    """What recognises a clause under another key: its text when long
    enough to be distinctive, or for a division without text its heading."""
    form = comparison_form(clause.text)
    if len(form) >= MIN_TEXT_FOR_MOVE:
        return (clause.kind.value, "text", form)
    if not form and clause.kind == ClauseKind.PART and clause.heading.strip():
        return (clause.kind.value, "heading", comparison_form(clause.heading))
    return None


#: Paragraph texts shorter than this are not distinctive enough to follow across numbers.
MIN_UNIT_TEXT = 20


def _unit_refs(state: ClauseState) -> tuple[dict[str, tuple[str, str]], Counter[str]]:
    """The units of a clause that can be followed by their words, and the words of all its units.

    :returns: ``(refs, forms)``: ``refs`` maps the comparison form of each
        labelled unit of at least :data:`MIN_UNIT_TEXT` characters found once
        in the clause to ``(labels, reference)``, e.g. ``("(3)", "Article 15(3)")``;
        ``forms`` counts the comparison forms of every unit.
    """
    units = split_units(state.text)
    forms: Counter[str] = Counter()
    refs: dict[str, tuple[str, str]] = {}
    for i, unit in enumerate(units):
        form = comparison_form(unit.text)
        forms[form] += 1
        if not unit.label or len(form) < MIN_UNIT_TEXT:
            continue
        path = unit_path(units, i)
        refs[form] = (reference("", path), reference(state.number or state.key, path))
    return {form: ref for form, ref in refs.items() if forms[form] == 1}, forms


def renumbered_units(old: ClauseState, new: ClauseState) -> tuple[tuple[str, str], ...]:
    """Paragraphs and points of one clause that kept their words but changed their reference.

    Units come from :func:`instrument.numbering.split_units`; a unit is
    followed across the two states when its text (under
    :func:`instrument.text.comparison_form`, at least :data:`MIN_UNIT_TEXT`
    characters) occurs exactly once on each side. References are written
    as :func:`instrument.numbering.reference` does ("Article 5(2)(a)").
    Units that went to another clause are found by :func:`moved_units`.

    :param old: the clause in the older state.
    :param new: the same clause in the newer state.
    :returns: ``(old reference, new reference)`` pairs in the new order, only
        where the unit's own labels differ ("Article 15(3) in Draft 1 is
        Article 16(2) in Draft 2"; "Article 15(1)" becoming "Article 16(1)" is
        not listed, the article's renumbering says it).
    """
    before, after = _unit_refs(old)[0], _unit_refs(new)[0]
    # Only units whose own labels changed: a renumbered article alone is reported once, by its number.
    return tuple(
        (before[form][1], ref) for form, (labels, ref) in after.items() if form in before and before[form][0] != labels
    )


def moved_units(
    clauses: Sequence[tuple[ClauseState | None, ClauseState | None]],
) -> list[tuple[int, int, str, str]]:
    """Paragraphs and points that left one clause for another with their words unchanged.

    A unit (as in :func:`renumbered_units`: labelled, at least
    :data:`MIN_UNIT_TEXT` characters of comparison form, found once in its
    clause) *leaves* a clause when its words are in the clause's old text
    and in no unit of its new text, and *arrives* in a clause when the
    reverse holds. A unit whose words leave exactly one clause and arrive in
    exactly one other clause moved there: "Article 4(2) is now Article 7(3)",
    the same citation as for a paragraph renumbered inside its article. Words
    that leave or arrive more than once are ambiguous and not cited, and a
    point that went along with its cited paragraph under its own label
    ("Article 4(2)(a)" as "Article 7(3)(a)") is not cited again.

    :param clauses: ``(old, new)`` states of each clause of a comparison,
        ``old`` ``None`` for an added clause and ``new`` ``None`` for a deleted one.
    :returns: ``(source index, target index, old reference, new reference)``
        for each moved unit, indices into ``clauses``, in the order of the
        target clauses and of the unit in its new text.
    """
    # Every unit whose words leave or arrive, with its reference when it can be cited (else None).
    left: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    arrived: dict[str, list[tuple[int, str | None]]] = defaultdict(list)
    for index, (old, new) in enumerate(clauses):
        if old is not None and new is not None and comparison_form(old.text) == comparison_form(new.text):
            continue
        before, old_forms = _unit_refs(old) if old is not None else ({}, Counter())
        after, new_forms = _unit_refs(new) if new is not None else ({}, Counter())
        for forms, refs, others, out in ((old_forms, before, new_forms, left), (new_forms, after, old_forms, arrived)):
            for form, count in forms.items():
                if form not in others and len(form) >= MIN_UNIT_TEXT:
                    out[form].extend([(index, refs[form][1] if form in refs else None)] * count)
    moves: list[tuple[int, int, str, str]] = []
    for form, targets in arrived.items():
        sources = left.get(form, [])
        if len(targets) != 1 or len(sources) != 1:
            continue
        (source, old_ref), (target, new_ref) = sources[0], targets[0]
        if old_ref is not None and new_ref is not None and source != target:
            moves.append((source, target, old_ref, new_ref))
    cited = [move for move in moves if not any(_carried(move, by) for by in moves)]
    cited.sort(key=lambda move: move[1])  # stable: a clause's arrivals stay in text order
    return cited


def _carried(move: tuple[int, int, str, str], by: tuple[int, int, str, str]) -> bool:
    """Whether ``move`` is a point that went along with the paragraph moved by ``by``, under its own label."""
    if move == by or move[:2] != by[:2] or not move[2].startswith(by[2]) or not move[3].startswith(by[3]):
        return False
    return move[2][len(by[2]) :] == move[3][len(by[3]) :]


def _by_key(states: Sequence[ClauseState], side: str) -> dict[str, ClauseState]:
    out: dict[str, ClauseState] = {}
    for state in states:
        if state.deleted:
            continue
        if state.key in out:
            raise ValueError(f"clause key {state.key!r} occurs twice in the {side} state")
        out[state.key] = state
    return out


def _text_redline(old: ClauseState, new: ClauseState) -> Redline:
    if old.version_id is not None and new.version_id is not None:
        return cached_redline(old.version_id, new.version_id, old.text, new.text)
    return redline(old.text, new.text)


def compare_clauses(old: Sequence[ClauseState], new: Sequence[ClauseState]) -> Comparison:
    """Compare two states of an instrument clause by clause.

    Matching: clauses are matched by ``key``; a clause marked ``deleted`` is
    treated as absent from its state. Among the clauses left unmatched on
    both sides, an old and a new clause of the same kind whose texts are
    the same under :func:`instrument.text.comparison_form` are taken to be
    one clause under a new key (renumbered: ``renumbered=True``,
    ``old_key`` set), provided that text is found exactly once among the
    unmatched clauses of each side and is at least
    :data:`instrument.matching.MIN_TEXT_FOR_MOVE` characters long (so that
    "(weggefallen)" or an empty body never pairs two unrelated clauses).
    Divisions without text are recognised the same way by their heading.

    Statuses and flags: ``changed`` when the text has a redline change or
    the heading differs (a heading change alone counts: "Art 49" becoming
    "Art 49 (weggefallen)" is ``changed`` with ``heading_changed``);
    ``renumbered`` when the number label differs; ``moved`` when the parent
    differs (after mapping the old parent through the matches) or when the
    clause is not in a longest increasing subsequence of its siblings' old
    positions taken in new order, so that inserting or deleting one clause
    does not mark its followers as moved.

    Paragraphs and points: ``units_renumbered`` cites those renumbered inside
    a clause (:func:`renumbered_units`) and those moved from one clause to
    another (:func:`moved_units`, cited in both clauses), so a paragraph
    that left Article 4 for Article 7 reads "Article 4(2) is now Article
    7(3)" rather than as a deletion and an unrelated insertion.

    Text redlines use :func:`instrument.diff.cached_redline` when both states
    carry a ``version_id``, else :func:`instrument.diff.redline`.

    :param old: the clauses of the old state, in document order.
    :param new: the clauses of the new state, in document order.
    :returns: a :class:`Comparison`.
    :raises ValueError: when a key occurs twice among the live clauses of one state.
    """
    old_map = _by_key(old, "old")
    new_map = _by_key(new, "new")

    pairs: dict[str, str] = {k: k for k in new_map if k in old_map}  # new key -> old key
    lone_old = [s for s in old_map.values() if s.key not in new_map]
    lone_new = [s for s in new_map.values() if s.key not in old_map]
    if lone_old and lone_new:
        old_ids = {s.key: _identity(s) for s in lone_old}
        new_ids = {s.key: _identity(s) for s in lone_new}
        old_count = Counter(i for i in old_ids.values() if i is not None)
        new_count = Counter(i for i in new_ids.values() if i is not None)
        old_by_id = {i: k for k, i in old_ids.items() if i is not None}
        for key, ident in new_ids.items():
            if ident is not None and old_count[ident] == 1 and new_count[ident] == 1:
                pairs[key] = old_by_id[ident]
    old_to_new = {o: n for n, o in pairs.items()}

    changes_by_new: dict[str, ClauseChange] = {}
    siblings: dict[str | None, list[str]] = defaultdict(list)
    parent_moved: set[str] = set()
    for new_key, old_key in pairs.items():
        o, n = old_map[old_key], new_map[new_key]
        mapped_parent = old_to_new.get(o.parent_key) if o.parent_key is not None else None
        if o.parent_key is not None and mapped_parent is None:
            parent_moved.add(new_key)  # its old parent is gone
        elif mapped_parent != n.parent_key:
            parent_moved.add(new_key)
        else:
            siblings[n.parent_key].append(new_key)
    order_moved: set[str] = set()
    for group in siblings.values():
        group.sort(key=lambda k: new_map[k].position)
        keep = longest_increasing_subsequence([old_map[pairs[k]].position for k in group])
        order_moved.update(k for index, k in enumerate(group) if index not in keep)

    for new_key, old_key in pairs.items():
        o, n = old_map[old_key], new_map[new_key]
        text_rl = _text_redline(o, n)
        heading_changed = o.heading != n.heading and comparison_form(o.heading) != comparison_form(n.heading)
        heading_rl = redline(o.heading, n.heading) if heading_changed else None
        units = renumbered_units(o, n) if text_rl.changed or o.number != n.number else ()
        changes_by_new[new_key] = ClauseChange(
            key=new_key,
            old_key=old_key,
            units_renumbered=units,
            status="changed" if text_rl.changed or heading_changed else "unchanged",
            old=o,
            new=n,
            renumbered=old_key != new_key
            or (o.number != n.number and comparison_form(o.number) != comparison_form(n.number)),
            moved=new_key in parent_moved or new_key in order_moved,
            heading_changed=heading_changed,
            redline=text_rl,
            heading_redline=heading_rl,
            words_inserted=text_rl.words_inserted + (heading_rl.words_inserted if heading_rl else 0),
            words_deleted=text_rl.words_deleted + (heading_rl.words_deleted if heading_rl else 0),
        )
    for n in new_map.values():
        if n.key not in pairs:
            rl = redline("", n.text)
            changes_by_new[n.key] = ClauseChange(
                key=n.key, old_key=None, status="added", old=None, new=n, redline=rl,
                words_inserted=rl.words_inserted + count_words(n.heading),
            )  # fmt: skip

    # Deleted clauses follow the clause that preceded them in the old state.
    deleted_after: dict[str | None, list[ClauseChange]] = defaultdict(list)
    anchor: str | None = None
    for o in old_map.values():
        if o.key in old_to_new:
            anchor = old_to_new[o.key]
            continue
        rl = redline(o.text, "")
        deleted_after[anchor].append(
            ClauseChange(
                key=o.key, old_key=o.key, status="deleted", old=o, new=None, redline=rl,
                words_deleted=rl.words_deleted + count_words(o.heading),
            )
        )  # fmt: skip
    ordered: list[ClauseChange] = list(deleted_after[None])
    for n in new_map.values():
        ordered.append(changes_by_new[n.key])
        ordered.extend(deleted_after[n.key])

    # Units that went from one clause to another are cited in both, after those renumbered in place.
    cited: dict[int, list[tuple[str, str]]] = defaultdict(list)
    text_changed = [index for index, c in enumerate(ordered) if c.text_changed]
    for source, target, old_ref, new_ref in moved_units([(ordered[k].old, ordered[k].new) for k in text_changed]):
        cited[text_changed[target]].append((old_ref, new_ref))
        cited[text_changed[source]].append((old_ref, new_ref))
    for index, moves in cited.items():
        change = ordered[index]
        ordered[index] = dataclasses.replace(change, units_renumbered=(*change.units_renumbered, *moves))

    return summarise(ordered)


def summarise(changes: Sequence[ClauseChange]) -> Comparison:
    """A :class:`Comparison` of ``changes`` in the order given, with its counts.

    :param changes: clause changes, e.g. a selection of those of :func:`compare_clauses`.
    :returns: the comparison; clause counts by status and kind of change, word counts summed.
    """
    return Comparison(
        changes=tuple(changes),
        clauses_added=sum(c.status == "added" for c in changes),
        clauses_deleted=sum(c.status == "deleted" for c in changes),
        clauses_changed=sum(c.status == "changed" for c in changes),
        clauses_moved=sum(c.moved for c in changes),
        clauses_renumbered=sum(c.renumbered for c in changes),
        clauses_heading_changed=sum(c.heading_changed for c in changes),
        words_inserted=sum(c.words_inserted for c in changes),
        words_deleted=sum(c.words_deleted for c in changes),
    )
