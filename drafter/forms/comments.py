"""Flask-WTF forms of the comment pages.

Length limits of the body and the reason are enforced by
:mod:`drafter.services.comments` (the body's limit is the app's
``MAX_COMMENT_LENGTH``), whose errors the views put on these fields; the
forms themselves check the CSRF token and the lists of choices.
"""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional

from drafter.forms import Form, LongSelect, options
from drafter.models import CommentCategory, CommentStatus

#: Where a form sends the visitor back after posting (no free-form URL, so no open redirect).
BACK_TARGETS = ("clause", "comments")


def whole_number(value: str | None) -> int | None:
    """Parse a whole number from a hidden field; ``None`` for anything else (never raises)."""
    if value is None:
        return None
    value = value.strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


class CommentForm(Form):
    """A comment on a clause version (whole clause or quoted words), or a reply to a comment.

    The quote field is filled by ``static/js/comment-select.js`` from a
    selection in the text, or typed/pasted by the visitor; the hidden
    prefix, suffix, start and end come from the script only.
    """

    version_id = HiddenField()
    draft = HiddenField()
    in_reply_to = HiddenField()
    back = HiddenField(default="clause")
    quote = TextAreaField(
        "Words you are commenting on (optional)",
        description=(
            "Select words in the text and press “Comment on the selected words”, or paste them here. "
            "Leave this empty to comment on the whole clause."
        ),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    prefix = HiddenField()
    suffix = HiddenField()
    start = HiddenField()
    end = HiddenField()
    category = SelectField(
        "Kind of comment",
        choices=options((c.value, c.label) for c in CommentCategory),
        default=CommentCategory.OTHER.value,
    )
    body = TextAreaField(
        "Your comment",
        description="Plain text, or Markdown: *emphasis*, **bold**, lists and links.",
    )


class EditCommentForm(Form):
    """The author replaces the body of an open comment."""

    body = TextAreaField("Your comment", description="The new text replaces the old one; the change is logged.")


class HideCommentForm(Form):
    """The secretariat hides a comment, giving a reason shown in its place and kept in the log."""

    reason = TextAreaField(
        "Why is this comment hidden?",
        description="Readers see this reason in place of the comment. It is kept in the audit log.",
    )
    next = HiddenField()


class ActionForm(Form):
    """A button that changes something (resolve): only the CSRF token and where to go back to."""

    next = HiddenField()


class CommentFilterForm(Form):
    """Filters of the comments list (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    # Every clause of a long instrument can be a choice.
    clause = SelectField("Clause", validators=[Optional()], widget=LongSelect())
    organisation = SelectField("Organisation", validators=[Optional()], widget=LongSelect())
    category = SelectField(
        "Kind",
        choices=options([("", "Any kind")] + [(c.value, c.label) for c in CommentCategory]),
        validators=[Optional()],
    )
    status = SelectField("Status", validators=[Optional()])
    # A GET form: "changed=0" or "off" in a hand-made link means unchecked, as an empty value does.
    changed = BooleanField(
        "Only my comments on text that has changed since", false_values=("", "0", "false", "off", "no")
    )

    def set_choices(self, clauses: list[tuple[int, str]], organisations: list[tuple[int, str]], *, hidden: bool):
        """Offer the clauses and organisations that have comments; the "hidden" status only when ``hidden``."""
        self.clause.choices = options([("", "Any clause")] + [(str(i), label) for i, label in clauses])
        self.organisation.choices = options([("", "Any organisation")] + [(str(i), n) for i, n in organisations])
        statuses = [s for s in CommentStatus if hidden or s is not CommentStatus.HIDDEN]
        self.status.choices = options([("", "Any status")] + [(s.value, s.value.capitalize()) for s in statuses])
