"""Alerts to Slack, through an incoming webhook (SENTRY_SLACK_*)."""

import json
import re
import urllib.request
from typing import Any

from pydantic import Field, SecretStr, field_validator

from ..core.settings import (
    OptionalSecret,
    OptionalStr,
    ServiceSettings,
    is_http_url,
    read_settings,
)
from .monitor import NOTIFIER_TIMEOUT_SECONDS, Alert


class SlackSettings(ServiceSettings):
    sentry_slack_alerts_enabled: bool = True
    sentry_slack_webhook_url: OptionalSecret = Field(default=None, repr=False)
    sentry_slack_channel: OptionalStr = None

    @field_validator("sentry_slack_webhook_url")
    @classmethod
    def _check_webhook(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not is_http_url(value.get_secret_value()):
            raise ValueError("must be an http(s) URL")
        return value

    @field_validator("sentry_slack_channel")
    @classmethod
    def _check_slack_channel(cls, value: str | None) -> str | None:
        # What a webhook's "channel" accepts: #channel, @user, or a channel id.
        if value is not None and not re.fullmatch(
            r"[#@][^\s,]{1,80}|[CDG][A-Z0-9]{8,}", value
        ):
            raise ValueError("must be #channel, @user or a channel id")
        return value


class SlackNotifier:
    """Posts alerts to a Slack incoming webhook."""

    def __init__(self, webhook_url: str, channel: str | None = None) -> None:
        self._webhook_url = webhook_url
        self._channel = channel

    def send(self, alert: Alert) -> None:
        payload: dict[str, Any] = {"text": alert.text}
        if self._channel:
            payload["channel"] = self._channel
        request = urllib.request.Request(
            self._webhook_url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=NOTIFIER_TIMEOUT_SECONDS):
            pass


def notifier() -> SlackNotifier | None:
    """The Slack notifier, unless switched off or without a webhook URL."""
    settings = read_settings(SlackSettings)
    if (
        not settings.sentry_slack_alerts_enabled
        or not settings.sentry_slack_webhook_url
    ):
        return None
    return SlackNotifier(
        settings.sentry_slack_webhook_url.get_secret_value(),
        settings.sentry_slack_channel,
    )
