"""Request dependencies: the database session and the authenticated user."""

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }}.core.errors import AuthenticationError
from {{ cookiecutter.project_slug }}.db import session_scope
from {{ cookiecutter.project_slug }}.models import RevokedToken, User
from {{ cookiecutter.project_slug }}.tokens import TokenClaims, decode_access_token

DbSession = Annotated[Session, Depends(session_scope)]

_bearer = HTTPBearer(auto_error=False)


def token_claims(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: DbSession,
) -> TokenClaims:
    if credentials is None:
        raise _unauthorized("not authenticated")
    try:
        claims = decode_access_token(credentials.credentials)
    except AuthenticationError as error:
        raise _unauthorized(str(error)) from None
    if session.get(RevokedToken, claims.jti) is not None:
        raise _unauthorized("token revoked")
    return claims


Claims = Annotated[TokenClaims, Depends(token_claims)]


def current_user(claims: Claims, session: DbSession) -> User:
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise _unauthorized("unknown or inactive user")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )
