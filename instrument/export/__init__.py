"""Exports of an instrument's text, one module each.

Clean Markdown, HTML, DOCX, PDF, Akoma Ntoso, redlines and the synoptic table.
"""

from __future__ import annotations

from collections.abc import Callable

#: A progress callback that long exports call as ``progress(done, total)``.
Progress = Callable[[int, int], None]
