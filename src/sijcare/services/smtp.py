"""Handing an e-mail to the clinic's mail server, and what the server answered.

`Sender` is what the outbox needs: `send(message)` returns a `Delivery` that says
whether the server accepted the message, and if not, whether trying again could help.
`SmtpSender` speaks SMTP to the server the settings name (`SIJCARE_SMTP_*`): STARTTLS
when configured, sign-in when a user is set, then MAIL, RCPT and DATA one by one, so the
server's own reply to DATA (its acceptance, with its queue id) is recorded. Only that
reply makes a delivery accepted. A 5xx reply is a permanent refusal; a 4xx reply, a
dropped connection or a timeout is temporary.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from typing import Protocol

from sijcare.settings import SmtpSettings

_MAX_DETAIL = 500


@dataclass(frozen=True)
class Delivery:
    """The outcome of one attempt: `detail` is the server's reply or the error."""

    accepted: bool
    permanent: bool
    detail: str


class Sender(Protocol):
    def send(self, message: EmailMessage) -> Delivery: ...


class SmtpSender:
    """Sends through the SMTP server of `settings`, one connection per message."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.host is None:
            raise ValueError("no SMTP server is configured (SIJCARE_SMTP_HOST)")
        self.settings = settings

    def send(self, message: EmailMessage) -> Delivery:
        try:
            return self._send(message)
        except smtplib.SMTPResponseException as exc:
            return refused(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            return Delivery(False, False, _short(f"{type(exc).__name__}: {exc}"))

    def _send(self, message: EmailMessage) -> Delivery:
        settings = self.settings
        assert settings.host is not None
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user is not None and settings.password is not None:
                smtp.login(settings.user, settings.password.reveal())
            code, reply = smtp.mail(str(message["From"]))
            if code != 250:
                return refused(code, reply)
            code, reply = smtp.rcpt(str(message["To"]))
            if code not in (250, 251):
                return refused(code, reply)
            code, reply = smtp.data(message.as_bytes(policy=SMTP))
            if code != 250:
                return refused(code, reply)
            return Delivery(True, False, _short(f"{code} {_text(reply)}"))


def refused(code: int, reply: bytes | str) -> Delivery:
    """A refusal: permanent for a 5xx reply, temporary otherwise."""
    return Delivery(False, code >= 500, _short(f"{code} {_text(reply)}"))


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _short(text: str) -> str:
    return " ".join(text.split())[:_MAX_DETAIL]
