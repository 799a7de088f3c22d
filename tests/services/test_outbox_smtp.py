"""The SMTP sender against a real local server, and the SIJCARE_SMTP_* settings."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from factories.reminders import MailServer
from sijcare.services.smtp import Delivery, SmtpSender, refused
from sijcare.settings import Secret, Settings, SettingsError, SmtpSettings


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    controller = server.start()
    yield server
    controller.stop()


def letter() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "reminders@westside.example"
    message["To"] = "patient@example.org"
    message["Subject"] = "Recordatorio: su cita"
    message.set_content("Hola,\nSu cita es el martes.\n")
    return message


def test_an_accepted_message_returns_the_servers_reply(mail: MailServer) -> None:
    delivery = SmtpSender(mail.settings()).send(letter())
    assert delivery == Delivery(True, False, "250 2.0.0 Ok: queued as TEST1")
    (envelope,) = mail.received
    assert envelope.rcpt_tos == ["patient@example.org"]
    assert isinstance(envelope.content, bytes)
    assert b"Subject: Recordatorio: su cita" in envelope.content


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [
        pytest.param("550 5.1.1 No such mailbox", True, id="permanent"),
        pytest.param("451 4.3.0 Try again later", False, id="temporary"),
    ],
)
def test_a_refused_recipient_is_not_a_delivery(
    mail: MailServer, reply: str, permanent: bool
) -> None:
    mail.refuse = reply
    assert SmtpSender(mail.settings()).send(letter()) == Delivery(False, permanent, reply)
    assert mail.received == []


def test_starttls_with_a_server_that_cannot_is_a_temporary_failure(mail: MailServer) -> None:
    settings = SmtpSettings(**{**vars(mail.settings()), "starttls": True})
    delivery = SmtpSender(settings).send(letter())
    assert (delivery.accepted, delivery.permanent) == (False, False)
    assert "STARTTLS" in delivery.detail
    assert mail.received == []


def test_sign_in_with_a_server_that_offers_none_is_a_temporary_failure(mail: MailServer) -> None:
    settings = SmtpSettings(
        **{**vars(mail.settings()), "user": "reminders", "password": Secret("pw")}
    )
    delivery = SmtpSender(settings).send(letter())
    assert (delivery.accepted, delivery.permanent) == (False, False)
    assert mail.received == []


def test_no_server_configured_is_refused() -> None:
    with pytest.raises(ValueError, match="SIJCARE_SMTP_HOST"):
        SmtpSender(SmtpSettings())


def test_refused_replies_are_cleaned_and_classified() -> None:
    assert refused(554, b"5.7.1  Rejected\r\n  by policy") == Delivery(
        False, True, "554 5.7.1 Rejected by policy"
    )
    assert refused(421, "Service not available") == Delivery(
        False, False, "421 Service not available"
    )


# -- settings -----------------------------------------------------------------------------------


def test_smtp_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "smtp_password"
    secret.write_text("s3cret\n", encoding="utf-8")
    settings = Settings.from_environ(
        {
            "SIJCARE_SMTP_HOST": "smtp.clinic.example",
            "SIJCARE_SMTP_PORT": "2525",
            "SIJCARE_SMTP_FROM": "reminders@clinic.example",
            "SIJCARE_SMTP_STARTTLS": "false",
            "SIJCARE_SMTP_USER": "reminders",
            "SIJCARE_SMTP_PASSWORD_FILE": str(secret),
            "SIJCARE_SMTP_TIMEOUT_SECONDS": "10",
        }
    ).smtp
    assert (settings.host, settings.port, settings.sender) == (
        "smtp.clinic.example",
        2525,
        "reminders@clinic.example",
    )
    assert (settings.starttls, settings.user, settings.timeout_seconds) == (False, "reminders", 10)
    assert settings.password is not None and settings.password.reveal() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.configured


def test_without_a_host_no_server_is_configured() -> None:
    settings = Settings.from_environ({}).smtp
    assert not settings.configured
    assert (settings.port, settings.starttls) == (587, True)


@pytest.mark.parametrize(
    ("environ", "where", "message"),
    [
        pytest.param({"SIJCARE_SMTP_HOST": "h"}, "SIJCARE_SMTP_FROM", "sender address", id="from"),
        pytest.param(
            {"SIJCARE_SMTP_HOST": "h", "SIJCARE_SMTP_FROM": "a@b", "SIJCARE_SMTP_USER": "u"},
            "SIJCARE_SMTP_USER",
            "both",
            id="user-without-password",
        ),
        pytest.param(
            {"SIJCARE_SMTP_PASSWORD": "p", "SIJCARE_SMTP_PASSWORD_FILE": "/x"},
            "SIJCARE_SMTP_PASSWORD",
            "not both",
            id="password-twice",
        ),
        pytest.param(
            {"SIJCARE_SMTP_PASSWORD_FILE": "/no/such/file"},
            "SIJCARE_SMTP_PASSWORD_FILE",
            "cannot read",
            id="password-file",
        ),
        pytest.param({"SIJCARE_SMTP_PORT": "0"}, "SIJCARE_SMTP_PORT", "from 1 to 65535", id="port"),
        pytest.param(
            {"SIJCARE_SMTP_STARTTLS": "maybe"}, "SIJCARE_SMTP_STARTTLS", "true or false", id="tls"
        ),
    ],
)
def test_bad_smtp_settings_name_the_variable(
    environ: dict[str, str], where: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.from_environ(environ)
    assert caught.value.where == where
