"""Sending e-mail: through an SMTP server when one is configured, else into the app log.

Settings (``instance/config.py``): ``MAIL_SERVER`` (host; unset means "log
only"), ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS, off), ``MAIL_USERNAME``,
``MAIL_PASSWORD`` and ``MAIL_SENDER`` ("drafter@localhost").

Links in e-mails come from :func:`public_url`, never from the request's
``Host`` header alone: a password-reset link built from a forged header
would hand the reset token to whoever owns that host.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, url_for

#: Said at start-up (``drafter run``, gunicorn) when ``PUBLIC_URL`` is missing.
PUBLIC_URL_MISSING = (
    "DRAFTER_PUBLIC_URL is not set: e-mails (password reset, account approval) go out without links "
    "unless TRUSTED_HOSTS lists this site's host names; set it to the address people open Drafter at, "
    "e.g. DRAFTER_PUBLIC_URL=https://drafter.example.org"
)


def public_url(endpoint: str, **values) -> str | None:
    """An absolute URL to put in an e-mail, or ``None`` when the site's address is unknown.

    * ``PUBLIC_URL`` set (``DRAFTER_PUBLIC_URL``): that base plus the endpoint's path;
    * else ``TRUSTED_HOSTS`` set: Flask has already answered 400 to a request for
      any other host, so the request's host is one of them and may be used;
    * else ``None``, and an error is logged: the ``Host`` header is the client's
      to choose, so nothing is built from it.

    :param endpoint: a Flask endpoint name, e.g. ``"auth.reset_password"``.
    :param values: the endpoint's URL values.
    :returns: the URL, or ``None``.
    """
    config = current_app.config
    base = config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    if config.get("TRUSTED_HOSTS"):
        return url_for(endpoint, _external=True, **values)
    current_app.logger.error("An e-mail needed a link to %s but has none. %s", endpoint, PUBLIC_URL_MISSING)
    return None


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text e-mail, or write it to the log when no server is configured.

    A delivery failure is logged and swallowed: callers answer the visitor
    the same way whether or not a message went out, so a failure must not
    turn into an error page that tells an address exists.

    :param to: recipient address.
    :param subject: subject line.
    :param body: plain-text body.
    :returns: ``True`` when handed to an SMTP server, ``False`` when only logged or failed.
    """
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.logger.warning(
            "No mail server configured (MAIL_SERVER); this e-mail was not sent:\nTo: %s\nSubject: %s\n\n%s",
            to,
            subject,
            body,
        )
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER", "drafter@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(server, int(config.get("MAIL_PORT", 25)), timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.error("Could not send e-mail %r to %s: %s", subject, to, exc)
        return False
    return True
