"""The password rule Django's validators lack: at most PASSWORD_MAX_LENGTH characters,
as the other frameworks' APIs accept (a longer one answers 422, and hashing a
megabyte-long password costs the server, not the client)."""

from typing import Any

from django.core.exceptions import ValidationError

PASSWORD_MAX_LENGTH = 128


class MaxLengthValidator:
    """An entry of AUTH_PASSWORD_VALIDATORS: refuses a password over `max_length`."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can have at most {self.max_length} characters."
