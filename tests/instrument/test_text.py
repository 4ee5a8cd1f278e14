"""The one normal form of text entering Drafter (instrument.text.nfc)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instrument.text import control_characters, is_storable, nfc, storable, storage_problems


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n", "\u0085", "\u2028", "\u2029"])
def test_every_line_ending_becomes_lf(newline):
    assert nfc(f"one{newline}two{newline}{newline}three") == "one\ntwo\n\nthree"
    assert storable(f"  one{newline}two\x00{newline}") == "one\ntwo"


def test_text_is_nfc():
    assert nfc("Vie\u0302\u0323t") == "Vi\u1ec7t"


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x08", "\x0e", "\x1b", "\x1f", "\x7f", "\x80", "\x9f"])
def test_control_characters_are_dropped_before_storing(control):
    assert storable(f"Wages{control} shall be paid.") == "Wages shall be paid."
    assert control_characters(f"a{control}b") == [control]
    assert storage_problems(f"a{control}b") == [f"control characters U+{ord(control):04X}"]


def test_tab_and_lf_are_kept_and_other_line_endings_become_lf():
    assert storable("1.\tWages\r\nshall\u0085be\u2028paid\x0bmonthly\x0cin cash.") == (
        "1.\tWages\nshall\nbe\npaid\nmonthly\nin cash."
    )
    assert storage_problems("a\x0bb\x0cc") == ["control characters U+000B, U+000C"]
    assert control_characters("1.\tWages\nshall") == []
    assert storage_problems("1.\tWages\nshall") == []
    assert storage_problems("a\r\nb\u2029c") == ["control characters U+000D", "line separators U+2029"]


def test_nfc_is_made_after_control_characters_are_dropped():
    # The bell character kept the accents from composing with the "e"; dropped, they compose.
    text = storable("Vie\x07\u0302\u0323t")
    assert text == "Vi\u1ec7t"
    assert storage_problems(text) == []
    assert storage_problems("Vie\u0302\u0323t") == ["not in NFC"]


@given(st.text())
def test_storable_text_has_no_storage_problems_and_is_stable(text):
    stored = storable(text)
    assert storage_problems(stored) == []
    assert is_storable(stored)
    assert storable(stored) == stored
