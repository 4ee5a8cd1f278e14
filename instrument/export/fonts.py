"""Fonts for the languages of ASEAN, named once for the DOCX and PDF exports.

The instrument may be translated into, or quote text in, Thai, Lao, Khmer,
Burmese, Vietnamese, Malay/Indonesian, Tagalog and Chinese. Latin-script
languages (Vietnamese with its stacked diacritics included) are covered by
Noto Serif; the others need a font of their own script. The Noto families
named here come with Debian's ``fonts-noto-core`` (Thai, Lao, Khmer,
Myanmar, Latin) and ``fonts-noto-cjk`` (Chinese); both are installed by
``.ci/run`` and listed in the README.

Word picks one of four font slots for every character (ECMA-376 Part 1,
17.3.2.26 ``rFonts``): ``ascii`` and ``hAnsi`` for Latin, ``eastAsia`` for
Chinese, Japanese and Korean, ``cs`` for complex scripts (Thai, Lao, Khmer,
Myanmar). Only one complex-script font can be named per run, so the DOCX
export splits text into runs by script (:func:`script_runs`) and names the
right font and language (``w:lang w:bidi``, which despite its name is the
complex-script language) on each.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

#: Latin, Greek and Cyrillic text, Vietnamese included.
LATIN = "Noto Serif"
#: Chinese (Simplified Chinese glyph forms, as used in Singapore and Malaysia).
EAST_ASIAN = "Noto Serif CJK SC"
EAST_ASIAN_LANG = "zh-CN"


@dataclass(frozen=True)
class Script:
    """A writing system that needs a font of its own.

    :ivar name: Unicode script name ("Thai").
    :ivar font: the serif Noto family for body text.
    :ivar sans: the sans-serif Noto family, a fallback in CSS.
    :ivar lang: BCP 47 language tag most often written in it ("th-TH").
    :ivar slot: Word's font slot, ``"cs"`` or ``"eastAsia"``.
    """

    name: str
    font: str
    sans: str
    lang: str
    slot: str


SCRIPTS: tuple[Script, ...] = (
    Script("Thai", "Noto Serif Thai", "Noto Sans Thai", "th-TH", "cs"),
    Script("Lao", "Noto Serif Lao", "Noto Sans Lao", "lo-LA", "cs"),
    Script("Khmer", "Noto Serif Khmer", "Noto Sans Khmer", "km-KH", "cs"),
    Script("Myanmar", "Noto Serif Myanmar", "Noto Sans Myanmar", "my-MM", "cs"),
    Script("Han", EAST_ASIAN, "Noto Sans CJK SC", EAST_ASIAN_LANG, "eastAsia"),
)
_BY_NAME = {s.name: s for s in SCRIPTS}

# One run of a script, with the combining marks that follow its letters; CJK
# punctuation and the ideographic space go with Han text.
_RUN = regex.compile(
    r"(?P<Thai>(?:\p{Script=Thai}\p{M}*)+)"
    r"|(?P<Lao>(?:\p{Script=Lao}\p{M}*)+)"
    r"|(?P<Khmer>(?:\p{Script=Khmer}\p{M}*)+)"
    r"|(?P<Myanmar>(?:\p{Script=Myanmar}\p{M}*)+)"
    r"|(?P<Han>(?:[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}"
    r"\u3000-\u303f\uff00-\uffef]\p{M}*)+)"
)
_ANY = regex.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u2e80-\u9fff\ua9e0-\ua9ff\uaa60-\uaa7f"
    r"\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
)


def script_runs(text: str) -> list[tuple[str, Script | None]]:
    """Split ``text`` into runs that need the same font.

    :param text: any string.
    :returns: ``(piece, script)`` pairs in order, whose pieces join to
        ``text``; ``script`` is ``None`` for Latin and everything else that
        the Latin font covers (digits, punctuation, spaces). Empty for ``""``.
    """
    if not text:
        return []
    if not _ANY.search(text):  # fast path: no ASEAN script outside Latin
        return [(text, None)]
    out: list[tuple[str, Script | None]] = []
    pos = 0
    for match in _RUN.finditer(text):
        if match.start() > pos:
            out.append((text[pos : match.start()], None))
        name = match.lastgroup
        assert name is not None  # every alternative of _RUN is a named group
        out.append((match.group(), _BY_NAME[name]))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def css_font_stack(*, serif: bool = True) -> str:
    """The CSS ``font-family`` value naming every Noto family above, Latin first.

    A browser or WeasyPrint takes each character from the first family in
    the list that has it (CSS Fonts Level 3, section 5, font matching), so
    the order is Latin, then one family per script, then the generic family.

    :param serif: serif families first (body text) or sans-serif (UI text).
    :returns: e.g. ``'"Noto Serif", "Noto Serif Thai", ..., serif'``.
    """
    names = [LATIN if serif else "Noto Sans"]
    for script in SCRIPTS:
        names += [script.font, script.sans] if serif else [script.sans, script.font]
    names.append("Noto Sans" if serif else LATIN)
    return ", ".join(f'"{n}"' for n in names) + (", serif" if serif else ", sans-serif")
