"""Small helpers shared by the core's tests."""

from __future__ import annotations

import unicodedata


def nfd(text: str) -> str:
    """``text`` decomposed (Unicode normalisation form D), as some keyboards and PDFs give it."""
    return unicodedata.normalize("NFD", text)
