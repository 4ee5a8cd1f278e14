"""Amendments, split along what each module does.

- :mod:`.operations`: the use cases that change things: propose (with the
  amendment's number), submit, withdraw, put under review, mark superseded.
- :mod:`.decisions`: the secretariat's decision, accepting with a three-way
  merge onto the clause's current text (its own module: the longest use case).
- :mod:`.queries`: what feeds pages and never writes: who may do what, the
  open amendments of a clause, merges and redlines for display, lists and counts.
"""
