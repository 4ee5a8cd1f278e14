"""Accounts and organisations: registration, approval, sign-in checks, passwords, roles.

Every function takes the acting user explicitly (``actor``), changes rows,
writes an audit :class:`~drafter.models.Event` and flushes; the caller (a
view or a CLI command) commits once. Errors the visitor can cause are
refusals from :mod:`drafter.services.errors` with a plain message (and the
form field it belongs to); the edge chooses the HTTP status.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from drafter.extensions import db
from drafter.models import Organisation, OrganisationType, Role, User, UserState
from drafter.models._base import utcnow
from drafter.models.user import COUNTRIES
from drafter.services import audit
from drafter.services.errors import Conflict, InvalidInput, NotPermitted

#: Password length bounds. Long passphrases are welcome; the upper bound only
#: keeps hashing time bounded (NIST SP 800-63B 5.1.1.2 asks for at least 64).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

#: itsdangerous salt: a reset token cannot be replayed as any other signed value.
RESET_SALT = "drafter.password-reset"


class SignInRefused(NotPermitted):
    """Sign-in failed. ``reason`` is "invalid", "pending", "refused" or "disabled".

    "invalid" covers both an unknown address and a wrong password, with the
    same message, so the answer never tells whether an address has an account.
    The sign-in page answers "invalid" with 401 (no credentials it can accept,
    RFC 9110 15.5.2) and the others with 403.

    :ivar reason: as given.
    """

    MESSAGES: ClassVar[dict[str, str]] = {
        "invalid": "The email address or password is not right.",
        "pending": "Your registration is waiting for approval by the secretariat. You can sign in once it is approved.",
        "refused": "Your registration was not approved. Contact the secretariat if you think this is a mistake.",
        "disabled": "This account is disabled. Contact the secretariat.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


class TokenError(InvalidInput):
    """A password-reset link that is malformed, expired or already used."""


@dataclass(frozen=True)
class NewOrganisation:
    """An organisation a registrant adds: name, type and ISO country code (see ``COUNTRIES``)."""

    name: str
    type: OrganisationType
    country: str


def normalise_email(email: str) -> str:
    """Return the form an address is stored and looked up in: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", email or "").strip().lower()


def new_session_token() -> str:
    """Return a fresh random session token (32 hex characters)."""
    return secrets.token_hex(16)


def generate_password() -> str:
    """Return a random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def check_password_rules(password: str) -> None:
    """Check a new password's length.

    :raises InvalidInput: (on ``password``) when shorter than :data:`MIN_PASSWORD_LENGTH` or
        longer than :data:`MAX_PASSWORD_LENGTH` characters.
    """
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"The password must have at most {MAX_PASSWORD_LENGTH} characters.", field="password")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when an address is unknown, so both paths cost one hash check.
    return generate_password_hash(secrets.token_hex(16))


def get_user_by_email(email: str) -> User | None:
    """Return the account with ``email`` (compared after :func:`normalise_email`), or ``None``."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def find_organisation(name: str) -> Organisation | None:
    """Return the organisation called ``name`` (ignoring case and outer spaces), or ``None``."""
    wanted = " ".join((name or "").split()).lower()
    return db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == wanted))


def create_organisation(new: NewOrganisation, *, actor: User | None) -> Organisation:
    """Add an organisation.

    :param new: its name (inner spaces collapsed), type and country code.
    :param actor: who adds it (``None`` for the system or a registrant not yet stored).
    :returns: the flushed :class:`Organisation`.
    :raises InvalidInput: for an empty name or unknown country.
    :raises Conflict: when an organisation of that name exists.
    """
    name = " ".join(new.name.split())
    if not name:
        raise InvalidInput("The organisation needs a name.", field="new_name")
    if new.country not in COUNTRIES:
        raise InvalidInput("Choose a country from the list.", field="new_country")
    if find_organisation(name) is not None:
        raise Conflict(f"“{name}” is already listed: choose it from the list.", field="new_name")
    organisation = Organisation(name=name, type=OrganisationType(new.type), country=new.country)
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.create", organisation, actor=actor, name=name, type=organisation.type.value)
    return organisation


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    organisation: Organisation | None,
    role: Role,
    actor: User | None,
    state: UserState = UserState.ACTIVE,
) -> User:
    """Create an account directly (command line, demo, admin).

    :param email: the address (normalised before storing).
    :param name: display name ("MFA delegate").
    :param password: the password; checked by :func:`check_password_rules`.
    :param organisation: the organisation the person acts for.
    :param role: the account's role.
    :param actor: who creates it (``None`` for the command line).
    :param state: usually :attr:`UserState.ACTIVE` (already approved).
    :returns: the flushed :class:`User`.
    :raises InvalidInput: for a bad password or address.
    :raises Conflict: when the address already has an account.
    """
    address = normalise_email(email)
    if not looks_like_email(address):
        raise InvalidInput("That does not look like an email address.", field="email")
    check_password_rules(password)
    if get_user_by_email(address) is not None:
        raise Conflict(f"There is already an account for {address}.", field="email")
    user = User(
        email=address,
        name=" ".join(name.split()) or address,
        organisation=organisation,
        role=role,
        state=state,
        session_token=new_session_token(),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user, actor=actor, email=address, role=role.value, state=state.value)
    return user


def register(
    *,
    email: str,
    name: str,
    password: str,
    organisation: Organisation | None = None,
    new_organisation: NewOrganisation | None = None,
) -> User | None:
    """Self-registration: a pending stakeholder account the secretariat reviews.

    When the address already has an account nothing is written and ``None``
    is returned; the caller answers exactly as for a new registration (and
    may tell the address's owner by e-mail), so the page never reveals
    whether an address is registered.

    :param email: the address.
    :param name: display name.
    :param password: the chosen password (checked by :func:`check_password_rules`).
    :param organisation: an existing organisation, or
    :param new_organisation: one to add (exactly one of the two is given).
    :returns: the new pending :class:`User`, or ``None`` for a known address.
    :raises InvalidInput: for bad input (on its field).
    :raises Conflict: when the new organisation's name is taken.
    """
    if (organisation is None) == (new_organisation is None):
        raise InvalidInput("Choose your organisation from the list, or add it.", field="organisation")
    check_password_rules(password)
    address = normalise_email(email)
    if not looks_like_email(address):
        raise InvalidInput("That does not look like an email address.", field="email")
    password_hash = generate_password_hash(password)  # also for known addresses: same cost either way
    if get_user_by_email(address) is not None:
        return None
    if new_organisation is not None:
        organisation = create_organisation(new_organisation, actor=None)
    user = User(
        email=address,
        name=" ".join(name.split()) or address,
        organisation=organisation,
        role=Role.STAKEHOLDER,
        state=UserState.PENDING,
        session_token=new_session_token(),
        password_hash=password_hash,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.register", user, actor=user, email=address, organisation=organisation.name if organisation else ""
    )
    return user


def authenticate(email: str, password: str) -> User:
    """Check an address and password for signing in.

    A wrong password and an unknown address give the same refusal (and cost
    the same hash check). The state of the account is told only to someone
    who gave its right password. Every refusal is recorded as a
    ``user.sign_in_failed`` event.

    :returns: the active :class:`User`.
    :raises SignInRefused: with reason "invalid", "pending", "refused" or "disabled".
    """
    address = normalise_email(email)
    user = get_user_by_email(address)
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        audit.record("user.sign_in_failed", None, actor=None, email=address[:254], reason="invalid")
        raise SignInRefused("invalid")
    if not user.check_password(password or ""):
        audit.record("user.sign_in_failed", user, actor=None, email=address, reason="invalid")
        raise SignInRefused("invalid")
    reason = {
        UserState.PENDING: "pending",
        UserState.REFUSED: "refused",
        UserState.DISABLED: "disabled",
    }.get(user.state)
    if reason is not None:
        audit.record("user.sign_in_failed", user, actor=None, email=address, reason=reason)
        raise SignInRefused(reason)
    return user


def record_sign_in(user: User, *, remember: bool) -> None:
    """Note a successful sign-in: time, a session token if the account has none, an event."""
    if not user.session_token:
        user.session_token = new_session_token()
    user.last_login_at = utcnow()
    db.session.flush()
    audit.record("user.sign_in", user, actor=user, remember=remember)


def sign_out(user: User) -> None:
    """End every session and "remember me" cookie of ``user`` by rotating the session token."""
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.sign_out", user, actor=user)


def approve(user: User, *, actor: User) -> None:
    """Approve a pending registration: the account becomes active.

    :raises Conflict: when the account is not pending.
    """
    _require_pending(user)
    user.state = UserState.ACTIVE
    db.session.flush()
    audit.record("user.approve", user, actor=actor, email=user.email)


def refuse(user: User, *, actor: User, reason: str = "") -> None:
    """Refuse a pending registration; the account can never sign in.

    :param reason: an optional note kept in the audit log.
    :raises Conflict: when the account is not pending.
    """
    _require_pending(user)
    user.state = UserState.REFUSED
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.refuse", user, actor=actor, email=user.email, reason=reason.strip())


def change_role(user: User, role: Role, *, actor: User) -> bool:
    """Give ``user`` another role.

    :returns: ``False`` when the role was already ``role`` (nothing written).
    :raises Conflict: when ``actor`` changes their own role (so the
        last admin cannot lock everybody out).
    """
    if user.id == actor.id:
        raise Conflict("You cannot change your own role; ask another admin.")
    if user.role == role:
        return False
    before = user.role
    user.role = role
    db.session.flush()
    audit.record("user.role_change", user, actor=actor, email=user.email, before=before.value, after=role.value)
    return True


def change_state(user: User, state: UserState, *, actor: User) -> bool:
    """Disable an account, or make it active again (an admin's decision).

    Disabling rotates the session token, which ends its sessions at once.

    :param state: :attr:`UserState.ACTIVE` or :attr:`UserState.DISABLED`.
    :returns: ``False`` when the account already had that state.
    :raises InvalidInput: for another state.
    :raises Conflict: when ``actor`` changes their own account.
    """
    if state not in (UserState.ACTIVE, UserState.DISABLED):
        raise InvalidInput("An account can only be made active or disabled here.", field="state")
    if user.id == actor.id:
        raise Conflict("You cannot disable or re-enable your own account.")
    if user.state == state:
        return False
    before = user.state
    user.state = state
    if state == UserState.DISABLED:
        user.session_token = new_session_token()
    db.session.flush()
    verb = "user.disable" if state == UserState.DISABLED else "user.enable"
    audit.record(verb, user, actor=actor, email=user.email, before=before.value)
    return True


def change_password(user: User, current: str, new: str, *, actor: User) -> None:
    """Change ``user``'s password after checking the current one.

    Rotates the session token, so every other session and "remember me"
    cookie of the account ends; the caller signs the current session in again.

    :raises InvalidInput: on ``current`` when it is wrong, on ``password`` when ``new`` breaks the rules.
    """
    if not user.check_password(current or ""):
        raise InvalidInput("The current password is not right.", field="current")
    check_password_rules(new)
    user.set_password(new)
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.password_change", user, actor=actor)


def request_password_reset(email: str) -> User | None:
    """Find the account a reset link should go to.

    :returns: the pending or active account with ``email``, else ``None``
        (refused and disabled accounts get no link). The caller answers the
        same way in both cases.
    """
    user = get_user_by_email(email)
    if user is None or user.state not in (UserState.ACTIVE, UserState.PENDING):
        return None
    audit.record("user.password_reset_request", user, actor=None)
    return user


def _fingerprint(user: User) -> str:
    # Changes whenever the password does, which makes a token single-use.
    return hashlib.sha256(("reset|" + user.password_hash).encode()).hexdigest()[:32]


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def make_reset_token(user: User, secret_key: str) -> str:
    """Return a signed, timestamped token for resetting ``user``'s password.

    It names the account and a fingerprint of its current password hash, so
    it stops working once the password changes (by this token or otherwise).

    :param secret_key: the app's ``SECRET_KEY``.
    :returns: a URL-safe string.
    """
    return _serializer(secret_key).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str, secret_key: str, max_age: int) -> User:
    """Return the account a reset token is for, if it is still good.

    :param max_age: lifetime in seconds.
    :raises TokenError: when the token is malformed, forged, expired,
        already used, or its account can no longer reset its password.
    """
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("This password-reset link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This password-reset link is not valid. Ask for a new one.") from exc
    user_id = data.get("u") if isinstance(data, dict) else None
    fingerprint = data.get("f") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if (
        user is None
        or not isinstance(fingerprint, str)
        or not hmac.compare_digest(fingerprint, _fingerprint(user))
        or user.state not in (UserState.ACTIVE, UserState.PENDING)
    ):
        raise TokenError("This password-reset link has already been used or is no longer valid. Ask for a new one.")
    return user


def reset_password(token: str, new: str, *, secret_key: str, max_age: int) -> User:
    """Set a new password with a reset token; the token cannot be used again.

    Also rotates the session token, ending every session of the account.

    :returns: the account.
    :raises TokenError: see :func:`user_for_reset_token`.
    :raises InvalidInput: (on ``password``) when ``new`` breaks the rules.
    """
    user = user_for_reset_token(token, secret_key, max_age)
    check_password_rules(new)
    user.set_password(new)
    user.session_token = new_session_token()
    db.session.flush()
    audit.record("user.password_reset", user, actor=user)
    return user


def _require_pending(user: User) -> None:
    if user.state != UserState.PENDING:
        raise Conflict(f"{user.email} is not waiting for approval (it is {user.state.value}).")


def looks_like_email(address: str) -> bool:
    """Tell whether ``address`` is plausibly an e-mail address.

    Deliberately loose (the only real test is a message arriving): one ``@``
    with something on each side, a dot inside the domain, no spaces or
    control characters, at most 254 characters (RFC 5321 4.5.3.1.3).
    """
    local, at, domain = address.rpartition("@")
    return (
        bool(at and local and domain)
        and address.count("@") == 1
        and "." in domain.strip(".")
        and not any(ch.isspace() or ord(ch) < 32 for ch in address)
        and len(address) <= 254
    )
