"""Alerts by e-mail over SMTP (SENTRY_*EMAIL*, SMTP_*)."""

import re
from collections.abc import Iterable
from email.message import EmailMessage
from smtplib import SMTP

from pydantic import Field, field_validator, model_validator

from ..core.settings import (
    CommaSeparated,
    OptionalSecret,
    OptionalStr,
    ServiceSettings,
    has_whitespace,
    read_settings,
)
from ..project import PROJECT_SLUG
from .monitor import NOTIFIER_TIMEOUT_SECONDS, Alert


class EmailSettings(ServiceSettings):
    sentry_email_alerts_enabled: bool = True
    sentry_alert_email_recipients: CommaSeparated = ()
    sentry_alert_email_sender: str = f"{PROJECT_SLUG}-alerts@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_username: OptionalStr = None
    smtp_password: OptionalSecret = Field(default=None, repr=False)
    smtp_starttls: bool = False

    @field_validator("sentry_alert_email_recipients")
    @classmethod
    def _check_recipients(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for recipient in value:
            if not re.fullmatch(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+", recipient):
                raise ValueError(f"{recipient!r} is not an e-mail address")
        return value

    @field_validator("sentry_alert_email_sender")
    @classmethod
    def _check_sender(cls, value: str) -> str:
        # A bare address: local hosts (the default, ...@localhost) are fine.
        if not re.fullmatch(r"[^@\s,<>]+@[^@\s,<>]+", value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("smtp_host")
    @classmethod
    def _check_smtp_host(cls, value: str) -> str:
        # smtplib treats an empty host as "connect later", and then never does.
        if not value or has_whitespace(value):
            raise ValueError("must be a host name")
        return value

    @model_validator(mode="after")
    def _check_smtp_login(self) -> "EmailSettings":
        # The notifier logs in only with both: one alone would be silently ignored.
        if self.smtp_password is not None and self.smtp_username is None:
            raise ValueError("SMTP_PASSWORD: set SMTP_USERNAME too (login needs both)")
        if self.smtp_username is not None and self.smtp_password is None:
            raise ValueError("SMTP_USERNAME: set SMTP_PASSWORD too (login needs both)")
        return self


class EmailNotifier:
    """Sends alerts by e-mail over SMTP."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Iterable[str],
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
    ) -> None:
        self._host, self._port = host, port
        self._sender, self._recipients = sender, list(recipients)
        self._username, self._password = username, password
        self._starttls = starttls

    def send(self, alert: Alert) -> None:
        message = EmailMessage()
        message["Subject"] = f"[{alert.environment}] {alert.reason}: {alert.error_type}"
        message["From"] = self._sender
        message["To"] = ", ".join(self._recipients)
        message.set_content(alert.text)
        with SMTP(self._host, self._port, timeout=NOTIFIER_TIMEOUT_SECONDS) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(message)


def notifier() -> EmailNotifier | None:
    """The e-mail notifier, unless switched off or without recipients."""
    settings = read_settings(EmailSettings)
    if not settings.sentry_email_alerts_enabled:
        return None
    if not settings.sentry_alert_email_recipients:
        return None
    password = settings.smtp_password
    return EmailNotifier(
        settings.smtp_host,
        settings.smtp_port,
        settings.sentry_alert_email_sender,
        settings.sentry_alert_email_recipients,
        username=settings.smtp_username,
        password=password.get_secret_value() if password else None,
        starttls=settings.smtp_starttls,
    )
