"""One page of a long list: the same shape for every paginated list of the app.

Comments, amendments, consultation inputs, the disposition register and the
traceability matrix are listed a page at a time (``LIMIT``/``OFFSET``), and
their pages count from 1; an empty list still has one page, so "Page 1 of 1"
and the last-page redirect (:func:`drafter.views.loaders.past_the_last_page`)
need no special case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, per_page: int) -> int:
    """Pages needed for ``total`` rows at ``per_page`` a page (at least 1).

    :param total: rows in the whole list (0 or more).
    :param per_page: rows on a page (1 or more).
    :returns: ``ceil(total / per_page)``, or 1 for an empty list.
    """
    return max(1, -(-int(total) // per_page))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list.

    :ivar items: this page's rows.
    :ivar total: how many rows match in all.
    :ivar page: this page's number, from 1.
    :ivar per_page: page size.
    """

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """The number of pages (at least 1)."""
        return page_count(self.total, self.per_page)
