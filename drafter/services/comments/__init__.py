"""Comments on clauses, in three modules along their seams.

- :mod:`~drafter.services.comments.operations`: the use cases that change
  comments (post, reply, edit, resolve, hide); they flush, the caller commits.
- :mod:`~drafter.services.comments.queries`: what feeds the pages (one
  clause's panel, counts per clause, the filtered list, the CSV export).
- :mod:`~drafter.services.comments.anchoring`: the glue to
  :mod:`instrument.anchors` that places a comment's quoted words in each
  version of its clause (and the hook :func:`drafter.services.versions.add_version` calls).

Import the module you need; this package re-exports nothing.
"""
