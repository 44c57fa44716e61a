"""Register, log in (bearer token), log out and who-am-I: the same API as every
other framework of this template."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from {{ cookiecutter.project_slug }}.config.http import ClientError, json_body
from {{ cookiecutter.project_slug }}.tokens import (
    create_access_token,
    decode_access_token,
)

from .middleware import remember_token, token_claims
from .models import RevokedToken

View = Callable[..., HttpResponse]


def token_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if token_claims(request) is None:
            return JsonResponse({"detail": "not authenticated"}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def user_json(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.get_username(), "email": user.email}


def _fits(model: Any, name: str, value: str) -> bool:
    """Whether the model's field `name` accepts `value`: its length and format (the
    username's characters, an e-mail address), checked before the database is."""
    try:
        model._meta.get_field(name).clean(value, None)
    except ValidationError:
        return False
    return True


def _strings(body: dict[str, Any], *names: str) -> list[str]:
    """The body's fields `names`, each a string (422 otherwise)."""
    values = [body.get(name) for name in names]
    if not all(isinstance(value, str) for value in values):
        raise ClientError(422, f"{', '.join(names)} must be strings")
    return [str(value) for value in values]


def _stored_username(username: str) -> str:
    """The username of the account a login names, in any letter case (an exact match
    first); the name as typed when no account holds it."""
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return username
    stored = (
        users.filter(username__iexact=username)
        .values_list(users.model.USERNAME_FIELD, flat=True)
        .first()
    )
    return str(stored) if stored is not None else username


@csrf_exempt
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    username, email, password = _strings(
        json_body(request), "username", "email", "password"
    )
    users = get_user_model().objects
    invalid = [
        name
        for name, value in (("username", username), ("email", email))
        if not value or not _fits(users.model, name, value)
    ]
    if invalid:
        # Which field, never its value (the README's 422).
        return JsonResponse({"detail": f"not valid: {', '.join(invalid)}"}, status=422)
    try:
        validate_password(password)
    except ValidationError as error:
        return JsonResponse({"detail": error.messages}, status=422)
    try:
        # The database decides (migration 0002): two sign-ups at once cannot both win.
        with transaction.atomic():
            user = users.create_user(username=username, email=email, password=password)
    except IntegrityError:  # Taken, in any letter case (the README's accounts).
        return JsonResponse({"detail": "user already exists"}, status=409)
    return JsonResponse(user_json(user), status=201)


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> JsonResponse:
    username, password = _strings(json_body(request), "username", "password")
    user = auth.authenticate(
        request, username=_stored_username(username), password=password
    )
    if user is None:
        return JsonResponse({"detail": "wrong username or password"}, status=401)
    auth.login(request, user)  # Sends user_logged_in: the Sentry user, a breadcrumb.
    token = create_access_token(user.pk)
    remember_token(request, decode_access_token(token))
    return JsonResponse({"access_token": token, "token_type": "bearer"})


@csrf_exempt
@require_POST
@token_required
def logout(request: HttpRequest) -> HttpResponse:
    claims = token_claims(request)
    if claims is None:  # token_required has checked: never here.
        return JsonResponse({"detail": "not authenticated"}, status=401)
    RevokedToken.objects.create(jti=claims.jti, expires_at=claims.expires_at)
    auth.logout(request)  # Sends user_logged_out: breadcrumb, Sentry user cleared.
    return HttpResponse(status=204)


@csrf_exempt  # No unsafe method reaches it: a POST is 405, not the CSRF check's 403.
@require_GET
@token_required
def me(request: HttpRequest) -> JsonResponse:
    return JsonResponse(user_json(request.user))
