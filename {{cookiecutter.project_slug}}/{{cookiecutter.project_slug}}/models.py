"""Database models (SQLAlchemy 2 typed declarative mapping)."""

from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    MetaData,
    Select,
    String,
    func,
    or_,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# What an account may hold, for every API that creates one (REST and GraphQL): within
# the columns' lengths below, and no NUL, which PostgreSQL text cannot hold.
USERNAME_PATTERN = r"[A-Za-z0-9_.-]{3,64}"
EMAIL_PATTERN = r"[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+"
EMAIL_MAX_LENGTH = 254
PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH = 8, 128


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Named constraints, so that later migrations can alter or drop them by name
    # (SQLite's batch migrations need it): see Alembic's "naming conventions".
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(Base):
    __tablename__ = "users"
    # SQLite would otherwise give a new user the id of the last one deleted, and
    # that user's unexpired tokens would sign in as the new one.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )


class RevokedToken(Base):
    """Tokens ended by logout before they expire."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Usernames and e-mails are one account's whatever their letter case: `Alice` cannot
# register when `alice` exists, and `ALICE` logs in as `alice` (the README's accounts).


def holding(username: str, email: str) -> ColumnElement[bool]:
    """The accounts that hold this username or this e-mail, in any letter case."""
    return or_(
        func.lower(User.username) == func.lower(username),
        func.lower(User.email) == func.lower(email),
    )


def signing_in_as(username: str) -> Select[User]:
    """The account a login names, in any letter case (an exact match first)."""
    return (
        select(User)
        .where(func.lower(User.username) == func.lower(username))
        .order_by((User.username == username).desc())
        .limit(1)
    )
