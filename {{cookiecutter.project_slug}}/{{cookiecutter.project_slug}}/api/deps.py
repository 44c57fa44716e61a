"""Request dependencies: the database session and the signed-in user."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from {{ cookiecutter.project_slug }}.authentication import SignedInUser
from {{ cookiecutter.project_slug }}.db import session_scope

DbSession = Annotated[Session, Depends(session_scope)]

# Documents the bearer scheme in the OpenAPI schema; BearerTokenBackend authenticates.
_bearer = HTTPBearer(auto_error=False)


def signed_in_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> SignedInUser:
    """The user the request's bearer token stands for (401 without a valid one)."""
    if not request.user.is_authenticated:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user: SignedInUser = request.user
    return user


CurrentUser = Annotated[SignedInUser, Depends(signed_in_user)]
