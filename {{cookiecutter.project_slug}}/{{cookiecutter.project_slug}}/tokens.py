"""JWT access tokens, the same for every framework.

A token names its user by id only (`sub`): who that user is (username, e-mail,
whether it may still sign in) is read from the database on every request, so a
token never speaks for a user that changed, was deactivated or deleted.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from .core.errors import AuthenticationError
from .core.settings import get_settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    jti: str
    expires_at: datetime


def create_access_token(user_id: int) -> str:
    """A signed token for `user_id`, valid ACCESS_TOKEN_EXPIRE_MINUTES from now."""
    settings = get_settings()
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
            get_settings().signing_key,
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
