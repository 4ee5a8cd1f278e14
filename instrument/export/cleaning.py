"""Characters that XML may not carry, removed before a text goes into a DOCX, PDF or XML file.

XML 1.0 (fifth edition, section 2.2, production ``Char``) allows tab, line
feed, carriage return and the code points from U+0020 on, except the
surrogates and U+FFFE/U+FFFF. Word processors put some of the forbidden
ones into copied text: a manual line break is a vertical tab (U+000B) in
Word's own text model, a page break a form feed (U+000C). lxml (and so
python-docx) refuses such a string outright, so one pasted character would
make a whole export fail.

The rule here: a vertical tab or a form feed becomes a line break (``\\n``),
a carriage return too (``\\r\\n`` counts once); every other forbidden
character is dropped. Each export logs one warning per clause that needed
it, on the ``instrument.export`` logger, naming the clause and what was
done, so that the secretariat can mend the source text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from instrument.types import ParsedClause

#: Logger of every export; the command line shows its warnings.
log = logging.getLogger("instrument.export")

# Everything XML 1.0 forbids, plus the carriage return (normalised to a line feed).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = {"\x0b": "vertical tab", "\x0c": "form feed", "\r": "carriage return"}
_NAMES = {"\x00": "NUL", "\x1b": "escape"}


def _name(char: str) -> str:
    return _LINE_BREAKS.get(char) or _NAMES.get(char) or f"U+{ord(char):04X}"


class Cleaner:
    """Cleans strings for XML and remembers what it changed, per place.

    Usage: ``text = cleaner.clean(text, "Article 2")`` for every string an
    export writes, then ``cleaner.report("DOCX")`` once at the end.

    :ivar changes: place -> Counter of character names, in first-seen order.
    """

    def __init__(self) -> None:
        self.changes: dict[str, Counter[str]] = {}

    def clean(self, text: str, where: str) -> str:
        """Return ``text`` fit for XML (see the module docstring for the rule).

        :param text: any string.
        :param where: the place the text belongs to, for the warning ("Article 2").
        :returns: ``text`` itself when nothing had to change (the common case,
            found with one regular-expression search), else the cleaned copy.
        """
        if not _FORBIDDEN.search(text):
            return text
        text = text.replace("\r\n", "\n")
        seen = self.changes.setdefault(where, Counter())

        def fix(match: re.Match[str]) -> str:
            char = match.group()
            seen[_name(char)] += 1
            return "\n" if char in _LINE_BREAKS else ""

        return _FORBIDDEN.sub(fix, text)

    def messages(self) -> list[str]:
        """One sentence per place that was changed, e.g.
        ``"Article 2: 1 vertical tab became a line break; 2 NUL characters dropped"``."""
        out = []
        for where, counts in self.changes.items():
            parts = []
            for name, n in counts.items():
                breaks = name in _LINE_BREAKS.values()
                noun = name if breaks else f"{name} character"
                verb = ("became line breaks" if n > 1 else "became a line break") if breaks else "dropped"
                parts.append(f"{n} {noun}{'s' if n > 1 else ''} {verb}")
            out.append(f"{where}: {'; '.join(parts)}")
        return out

    def report(self, export: str, logger: logging.Logger | None = None) -> list[str]:
        """Log one warning per changed place and return the messages.

        :param export: the name of the export ("DOCX", "PDF", "Akoma Ntoso").
        :param logger: where to log (default: :data:`log`).
        :returns: the messages logged (empty when nothing was changed).
        """
        messages = self.messages()
        for message in messages:
            (logger or log).warning(
                "%s export: %s (characters that XML does not allow, e.g. pasted from a word processor)",
                export,
                message,
            )
        return messages


def clean_clauses(clauses: Iterable[ParsedClause], cleaner: Cleaner) -> list[ParsedClause]:
    """Clean number, heading and text of every clause (see :class:`Cleaner`).

    :param clauses: the clauses in document order.
    :param cleaner: collects what was changed, under each clause's label.
    :returns: the clauses, each one the same object when nothing changed.
    """
    out = []
    for clause in clauses:
        where = clause_label(clause)
        number = cleaner.clean(clause.number, where)
        heading = cleaner.clean(clause.heading, where)
        text = cleaner.clean(clause.text, where)
        if (number, heading, text) != (clause.number, clause.heading, clause.text):
            clause = replace(clause, number=number, heading=heading, text=text)
        out.append(clause)
    return out


def clause_label(clause: ParsedClause) -> str:
    """How a clause is named in messages: its number, else its heading, else its key."""
    return _FORBIDDEN.sub(" ", clause.number or clause.heading or clause.key).strip() or clause.key


#: Cell openings that spreadsheets read as a formula (full-width forms included, which some also read).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: object) -> str:
    """A value as a CSV cell that spreadsheets show as text, never run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break
    (or their full-width forms) gets a leading apostrophe, as the OWASP
    "CSV Injection" page advises; quoting is left to :mod:`csv`.

    :param value: any value (``None`` -> "").
    :returns: the cell text.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
