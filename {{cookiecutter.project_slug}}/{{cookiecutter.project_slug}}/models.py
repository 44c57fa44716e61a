"""Database models (SQLAlchemy 2 typed declarative mapping)."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Index, MetaData, Select, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

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
# The database decides, so that two sign-ups at once cannot both win; the indexes also
# find a login's account.
Index("uq_users_lower_username", func.lower(User.username), unique=True)
Index("uq_users_lower_email", func.lower(User.email), unique=True)


def add_user(
    session: Session, username: str, email: str, hashed_password: str
) -> User | None:
    """The new account, committed; None when its username or e-mail is taken, in any
    letter case."""
    user = User(username=username, email=email, hashed_password=hashed_password)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return user


def signing_in_as(username: str) -> Select[User]:
    """The account a login names, in any letter case (an exact match first)."""
    return (
        select(User)
        .where(func.lower(User.username) == func.lower(username))
        .order_by((User.username == username).desc())
        .limit(1)
    )
