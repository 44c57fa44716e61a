"""Who a request is: a bearer token decides when there is one, else the session.

`BearerTokenMiddleware` runs after Django's AuthenticationMiddleware: a request with
`Authorization: Bearer ...` is the token's user when the token is valid, unexpired
and not revoked and its user active, and anonymous otherwise (a session cookie
does not stand in for a rejected token). A session the API's login started ends
with its token: once the token is revoked (logout, even by token alone) the session
is nobody's. `SentryUserMiddleware` then sets the Sentry user to exactly that user,
or none.
"""

from collections.abc import Callable
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.errors import AuthenticationError
from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    set_user_context,
)
from {{ cookiecutter.project_slug }}.tokens import (
    TokenClaims,
    bearer_token,
    decode_access_token,
)

from .models import RevokedToken

Handler = Callable[[HttpRequest], HttpResponse]


class TokenRequest(HttpRequest):
    """A request authenticated by a bearer token carries the token's claims."""

    token_claims: TokenClaims


# The session key holding the id (jti) of the token the API's login gave with it.
SESSION_TOKEN_KEY = "access_token_jti"


def remember_token(request: HttpRequest, claims: TokenClaims) -> None:
    """Tie the session the login started to its token: revoking one ends both."""
    request.session[SESSION_TOKEN_KEY] = claims.jti


def token_claims(request: HttpRequest) -> TokenClaims | None:
    """The claims of the request's bearer token, if one authenticated it."""
    return getattr(request, "token_claims", None)


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` authenticates the request, or nobody does."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bearer_token(request.headers.get("Authorization", ""))
        if token is not None:
            _authenticate(request, token)
        elif _revoked(request.session.get(SESSION_TOKEN_KEY)):
            # Logged out by its token (perhaps from a request without the cookie).
            request.session.flush()
            add_breadcrumb(
                "Ended session",
                category="auth",
                level="warning",
                reason="revoked token",
            )
            _set_user(request, AnonymousUser())
        return self.get_response(request)


class SentryUserMiddleware:
    """Attach the authenticated user to this request's events (per PII mode)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            set_user_context(user.pk, username=user.get_username(), email=user.email)
            add_breadcrumb("Authenticated request", category="auth", user_id=user.pk)
        return self.get_response(request)


def _authenticate(request: HttpRequest, token: str) -> None:
    try:
        claims, user = _sign_in(token)
    except AuthenticationError as rejection:
        add_breadcrumb(
            "Rejected bearer token",
            category="auth",
            level="warning",
            reason=str(rejection),
        )
        user = AnonymousUser()
    else:
        cast(TokenRequest, request).token_claims = claims
    _set_user(request, user)


def _set_user(request: HttpRequest, user: Any) -> None:
    async def auser() -> Any:  # What async views await, as Django's own middleware.
        return user

    request.user = user
    request.auser = auser


def _revoked(jti: object) -> bool:
    return isinstance(jti, str) and RevokedToken.objects.filter(jti=jti).exists()


def _sign_in(token: str) -> tuple[TokenClaims, Any]:
    """The token's claims and user; AuthenticationError, saying why, if the token is
    invalid, expired or revoked, or its user unknown or inactive."""
    claims = decode_access_token(token)
    if RevokedToken.objects.filter(jti=claims.jti).exists():
        raise AuthenticationError("revoked token")
    user = get_user_model().objects.filter(pk=claims.user_id, is_active=True).first()
    if user is None:
        raise AuthenticationError("unknown or inactive user")
    return claims, user
