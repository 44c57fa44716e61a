"""JWT access tokens, the same for every framework, and the key that signs them.

A token names its user by id only (`sub`): who that user is (username, e-mail,
whether it may still sign in) is read from the database on every request, so a
token never speaks for a user that changed, was deactivated or deleted.
"""

import functools
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import Field, model_validator

from .core.errors import AuthenticationError
from .core.settings import OptionalSecret, ServiceSettings, read_settings

ALGORITHM = "HS256"
# HS256 wants a key at least as long as its hash, 256 bits (RFC 7518, 3.2): a
# shorter one can be brute-forced offline from any token it signed.
MIN_SECRET_KEY_LENGTH = 32


class AuthSettings(ServiceSettings):
    """SECRET_KEY signs the access tokens (and the framework's sessions, if any)."""

    secret_key: OptionalSecret = Field(default=None, repr=False)
    access_token_expire_minutes: int = Field(default=60, gt=0)

    @model_validator(mode="after")
    def _check_secret_key_when_deployed(self) -> "AuthSettings":
        if self.environment == "development":
            return self
        # Several processes or pods must sign with one key: none is made up here.
        if self.secret_key is None:
            raise ValueError(
                f"SECRET_KEY: required when ENVIRONMENT is {self.environment}"
            )
        if self.environment != "production":
            return self
        # A weak key lets anyone forge tokens.
        if len(self.secret_key.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"SECRET_KEY: at least {MIN_SECRET_KEY_LENGTH} characters when "
                "ENVIRONMENT is production (a short signing key can be brute-forced)"
            )
        return self

    @property
    def signing_key(self) -> str:
        """The JWT signing key; a throwaway one per process in development if none is
        set."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _process_secret()


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    jti: str
    expires_at: datetime


def create_access_token(user_id: int) -> str:
    """A signed token for `user_id`, valid ACCESS_TOKEN_EXPIRE_MINUTES from now."""
    settings = read_settings(AuthSettings)
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_expire_minutes),
    }
    return jwt.encode(claims, settings.signing_key, algorithm=ALGORITHM)


def decode_access_token(token: str) -> TokenClaims:
    """Return the token's claims; raise AuthenticationError if it is not valid."""
    try:
        claims = jwt.decode(
            token,
            read_settings(AuthSettings).signing_key,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "jti", "exp"]},
        )
        return TokenClaims(
            user_id=int(claims["sub"]),
            jti=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except (jwt.InvalidTokenError, ValueError, TypeError) as error:
        raise AuthenticationError("invalid or expired token") from error


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, else None.

    A Bearer header without a token gives "": a rejected token, not a missing one.
    """
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


@functools.cache
def _process_secret() -> str:
    return secrets.token_urlsafe(32)
