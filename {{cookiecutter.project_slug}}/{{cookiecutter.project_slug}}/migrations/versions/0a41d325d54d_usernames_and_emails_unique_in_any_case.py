"""Usernames and e-mails unique in any letter case

The upgrade fails on a database that already holds two accounts whose usernames (or
e-mails) differ only in letter case: merge or rename them first.

Revision ID: 0a41d325d54d
Revises: 67b2077b083e
Create Date: 2026-12-01 11:02:20.046913
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Revision identifiers, used by Alembic.
revision: str = "0a41d325d54d"
down_revision: str | Sequence[str] | None = "67b2077b083e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_users_lower_email",
        "users",
        [sa.literal_column("lower(email)")],
        unique=True,
    )
    op.create_index(
        "uq_users_lower_username",
        "users",
        [sa.literal_column("lower(username)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_users_lower_username", table_name="users")
    op.drop_index("uq_users_lower_email", table_name="users")
