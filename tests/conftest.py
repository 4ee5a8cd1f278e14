"""Fixtures shared by every test package."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def corpus_path() -> Path:
    """Where the real legal texts live: ``$DRAFTER_CORPUS`` or ``../shared/corpus``."""
    return Path(os.environ.get("DRAFTER_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Path to ``shared/corpus``; the corpus tests are skipped only if it is absent."""
    path = corpus_path()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"corpus not found at {path}; CI must have it")
        pytest.skip(f"corpus not found at {path}")
    return path
