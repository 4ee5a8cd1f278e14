"""Sending e-mail: through an SMTP server when one is configured, else into the app log.

Settings (``instance/config.py``): ``MAIL_SERVER`` (host; unset means "log
only"), ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS, off), ``MAIL_USERNAME``,
``MAIL_PASSWORD`` and ``MAIL_SENDER`` ("drafter@localhost").
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


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
