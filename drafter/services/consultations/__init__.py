"""Consultations and their inputs: recording them, linking them to the text, answering each one.

Who does what (the web layer checks the audience, these functions check
the person again):

* the secretariat records consultations and inputs, links inputs to
  clauses, amendments and edit versions, and gives each input its
  disposition;
* a stakeholder may submit a written input to a written call that is open
  (:meth:`~drafter.models.Consultation.is_open`), on behalf of their own
  organisation, and may withdraw their organisation's input while it is
  pending; members of an amendment's proposing organisation may cite inputs
  on it while it is open.

The register's rules (see :class:`~drafter.models.Disposition`):

* ``not_reflected`` and ``noted`` need a written reason;
* *reflection is computed, the disposition is decided*: an input is
  reflected in a version of the text when that version cites it through
  its cause (an accepted amendment that cites the input, or a secretariat
  edit that cites it); :func:`evidence` lists those versions. The secretariat's
  ``reflected`` or ``reflected_in_part`` is only accepted while there is
  such a version, and the last link that makes one cannot be removed while
  the disposition says so. Links alone never change a disposition: an input
  whose text went in stays ``pending`` until the secretariat answers it (the
  register shows it as "in the text, not yet answered"), because the
  answer, "in full" or "in part", is a judgement that no link can make;
* an input that decisions or versions refer to is never deleted: deleting
  is refused unless the input is still pending and no amendment or edit
  cites it (the database's ``ON DELETE RESTRICT`` is the last guard);
  withdrawing keeps the row.

Where things are:

* :mod:`.operations`: the use cases that change things (record and update
  consultations, add inputs with their attached files, link, cite, answer,
  withdraw, delete). Every change writes an audit event; they flush and
  never commit, and refuse with :mod:`drafter.services.errors`.
* :mod:`.queries`: what feeds the pages (who may do what, counts, lists,
  an input with its evidence, the sources of versions); nothing there writes.
"""
