"""Bearer-token users, and the Sentry user for every authenticated request."""

from collections.abc import Callable
from typing import cast

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse

from {{ cookiecutter.project_slug }}.core.errors import AuthenticationError
from {{ cookiecutter.project_slug }}.core.sentry import add_breadcrumb, set_user_context
from {{ cookiecutter.project_slug }}.tokens import TokenClaims, decode_access_token

from .models import RevokedToken

Handler = Callable[[HttpRequest], HttpResponse]


class TokenRequest(HttpRequest):
    """A request authenticated by a bearer token carries the token's claims."""

    token_claims: TokenClaims


def token_claims(request: HttpRequest) -> TokenClaims | None:
    """The claims of the request's bearer token, if one authenticated it."""
    return getattr(request, "token_claims", None)


class BearerTokenMiddleware:
    """`Authorization: Bearer <token>` authenticates like a session would."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            _authenticate(request, token.strip())
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
        claims = decode_access_token(token)
    except AuthenticationError:
        add_breadcrumb("Rejected bearer token", category="auth", level="warning")
        return
    if RevokedToken.objects.filter(jti=claims.jti).exists():
        add_breadcrumb("Revoked bearer token", category="auth", level="warning")
        return
    user = get_user_model().objects.filter(pk=claims.user_id, is_active=True).first()
    if user is not None:
        request.user = user
        cast(TokenRequest, request).token_claims = claims
