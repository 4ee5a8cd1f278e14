"""The one normal form of text entering Drafter (instrument.text.nfc)."""
from __future__ import annotations

import pytest

from instrument.text import nfc, storable


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n", "\u0085", "\u2028", "\u2029"])
def test_every_line_ending_becomes_lf(newline):
    assert nfc(f"one{newline}two{newline}{newline}three") == "one\ntwo\n\nthree"
    assert storable(f"  one{newline}two\x00{newline}") == "one\ntwo"


def test_text_is_nfc():
    assert nfc("Vie\u0302\u0323t") == "Vi\u1ec7t"
