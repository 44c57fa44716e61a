"""Register, log in, log out and who-am-I, with auth breadcrumbs."""

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    clear_user_context,
    set_user_context,
)
from {{ cookiecutter.project_slug }}.models import (
    EMAIL_MAX_LENGTH,
    EMAIL_PATTERN,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_PATTERN,
    RevokedToken,
    add_user,
    signing_in_as,
)
from {{ cookiecutter.project_slug }}.passwords import hash_password, verify_password
from {{ cookiecutter.project_slug }}.tokens import create_access_token

from ..deps import CurrentUser, DbSession

router = APIRouter()


class Registration(BaseModel):
    username: str = Field(pattern=f"^{USERNAME_PATTERN}$")
    email: str = Field(max_length=EMAIL_MAX_LENGTH, pattern=f"^{EMAIL_PATTERN}$")
    password: str = Field(
        min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH
    )


# No NUL in what is looked up: PostgreSQL text cannot hold one.
class Credentials(BaseModel):
    username: str = Field(max_length=64, pattern=r"^[^\x00]*$")
    password: str = Field(max_length=128)


class UserOut(BaseModel):
    id: int
    username: str
    email: str


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(registration: Registration, session: DbSession) -> UserOut:
    user = add_user(
        session,
        registration.username,
        registration.email,
        hash_password(registration.password),
    )
    if user is None:
        raise HTTPException(status.HTTP_409_CONFLICT, detail="user already exists")
    add_breadcrumb("User registered", category="auth", user_id=user.id)
    return UserOut(id=user.id, username=user.username, email=user.email)


@router.post("/login")
def login(credentials: Credentials, session: DbSession) -> Token:
    user = session.scalar(signing_in_as(credentials.username))
    if (
        user is None
        or not user.is_active
        or not verify_password(credentials.password, user.hashed_password)
    ):
        add_breadcrumb("Login failed", category="auth", level="warning")
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail="wrong username or password"
        )
    # From here on, this request acts for the user it signed in.
    set_user_context(user.id, username=user.username, email=user.email)
    add_breadcrumb("User logged in", category="auth", user_id=user.id)
    return Token(access_token=create_access_token(user.id))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(signed_in: CurrentUser, session: DbSession) -> None:
    claims = signed_in.claims
    session.add(RevokedToken(jti=claims.jti, expires_at=claims.expires_at))
    session.commit()
    add_breadcrumb("User logged out", category="auth", user_id=claims.user_id)
    clear_user_context()


@router.get("/me")
def me(signed_in: CurrentUser) -> UserOut:
    user = signed_in.user
    return UserOut(id=user.id, username=user.username, email=user.email)
