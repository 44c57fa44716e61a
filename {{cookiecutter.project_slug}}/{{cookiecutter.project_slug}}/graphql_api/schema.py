"""The GraphQL schema: accounts over SQLAlchemy, and a resolver that fails on purpose.

Resolvers raise `GraphQLError` for what the client did wrong (not reported to
Sentry); any other exception is a bug, reported once with the operation name, and
its message never reaches the client (context.py answers "Internal Server Error").
"""

import re
from collections.abc import Callable, Iterator
from functools import partial

import strawberry
from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.types import Info

from {{ cookiecutter.project_slug }}.authentication import SignedInUser
from {{ cookiecutter.project_slug }}.core.diagnostics import SentryTestError, describe
from {{ cookiecutter.project_slug }}.core.sentry import (
    add_breadcrumb,
    clear_user_context,
    set_tag,
    set_user_context,
)
from {{ cookiecutter.project_slug }}.core.settings import get_settings
from {{ cookiecutter.project_slug }}.db import get_sessionmaker
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
from {{ cookiecutter.project_slug }}.models import User as UserModel
from {{ cookiecutter.project_slug }}.passwords import hash_password, verify_password
from {{ cookiecutter.project_slug }}.tokens import TokenClaims, create_access_token

from .context import Context

# What register accepts (models.py: the same rules as every API's).
USERNAME = re.compile(USERNAME_PATTERN)
EMAIL = re.compile(EMAIL_PATTERN)


@strawberry.type
class User:
    id: int
    username: str
    email: str

    @classmethod
    def of(cls, user: UserModel) -> "User":
        return cls(id=user.id, username=user.username, email=user.email)


@strawberry.type
class AuthPayload:
    access_token: str
    token_type: str = "bearer"


def _signed_in(info: Info[Context, None]) -> SignedInUser:
    if info.context.signed_in is None:
        raise GraphQLError("not authenticated")
    return info.context.signed_in


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: Info[Context, None]) -> User:
        return User.of(_signed_in(info).user)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, username: str, email: str, password: str) -> User:
        return User.of(await run_in_threadpool(_register, username, email, password))

    @strawberry.mutation
    async def login(self, username: str, password: str) -> AuthPayload:
        user = await run_in_threadpool(_authenticate, username, password)
        if user is None:
            add_breadcrumb("Login failed", category="auth", level="warning")
            raise GraphQLError("wrong username or password")
        # From here on, this request acts for the user it signed in.
        set_user_context(user.id, username=user.username, email=user.email)
        add_breadcrumb("User logged in", category="auth", user_id=user.id)
        return AuthPayload(access_token=create_access_token(user.id))

    @strawberry.mutation
    async def logout(self, info: Info[Context, None]) -> bool:
        signed_in = _signed_in(info)
        await run_in_threadpool(_revoke, signed_in.claims)
        add_breadcrumb("User logged out", category="auth", user_id=signed_in.user.id)
        clear_user_context()
        return True

    @strawberry.mutation
    def trigger_error(self, message: str | None = None) -> bool:
        """Fails on purpose: resolver errors reach Sentry (not in production)."""
        if get_settings().environment == "production":
            raise GraphQLError("not available in production")
        raise SentryTestError(describe("Test resolver error", message))


class OperationTag(SchemaExtension):
    """Tag the request's events `graphql.operation` with the operation's name: the
    `operationName` sent, else the name in the document (`mutation Inline {...}`)."""

    def on_execute(self) -> Iterator[None]:
        name = self.execution_context.operation_name
        if name:
            set_tag("graphql.operation", name)
        yield


# The size of a document the API runs. Validation takes time quadratic in the number
# of fields (2,000 aliased fields take seconds of the event loop, every request's),
# and a body under the size limit holds tens of thousands: a longer document is a
# syntax error, refused before validation. The operations of this schema, and the
# introspection query of GraphiQL, need a few hundred tokens.
MAX_TOKENS = 2_000
MAX_ALIASES = 100


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """Build the schema once Sentry is initialised: the integration adds its tracing
    extension when a schema is created. Without `introspection`, `__schema` and
    `__type` are validation errors (the client's, never reported)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        OperationTag,
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


def _register(username: str, email: str, password: str) -> UserModel:
    if (
        not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH
        or len(email) > EMAIL_MAX_LENGTH
        or not EMAIL.fullmatch(email)
        or not USERNAME.fullmatch(username)
    ):
        raise GraphQLError("username, a valid email and 8+ character password needed")
    with get_sessionmaker()() as session:
        user = add_user(session, username, email, hash_password(password))
    if user is None:
        raise GraphQLError("user already exists")
    return user


def _authenticate(username: str, password: str) -> UserModel | None:
    if len(username) > 64 or "\x00" in username:
        return None  # No such user can exist (and PostgreSQL refuses a NUL).
    with get_sessionmaker()() as session:
        user = session.scalar(signing_in_as(username))
    if (
        user is None
        or not user.is_active
        or not verify_password(password, user.hashed_password)
    ):
        return None
    return user


def _revoke(claims: TokenClaims) -> None:
    with get_sessionmaker()() as session:
        session.add(RevokedToken(jti=claims.jti, expires_at=claims.expires_at))
        session.commit()
