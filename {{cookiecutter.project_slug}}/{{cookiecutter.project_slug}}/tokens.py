"""JWT access tokens, the same for every framework."""

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
    username: str
    email: str
    jti: str
    expires_at: datetime


def create_access_token(user_id: int, username: str, email: str) -> str:
    settings = get_settings()
    expires_at = datetime.now(UTC) + timedelta(
        minutes=settings.access_token_expire_minutes
    )
    claims = {
        "sub": str(user_id),
        "username": username,
        "email": email,
        "jti": uuid.uuid4().hex,
        "exp": expires_at,
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
            username=str(claims.get("username", "")),
            email=str(claims.get("email", "")),
            jti=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except (jwt.InvalidTokenError, ValueError) as error:
        raise AuthenticationError("invalid or expired token") from error
