"""citizens: a stored, folded search text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

A citizen search matched every citizen's id, names and alias folded (æ → ae, ø → oe, å → aa,
é → e, lower case) by the database, anew for every citizen at every keystroke (~130 ms at
100,000 citizens). The folded text is now a stored generated column, kept by the database with
every write (store.models.CITIZEN_SEARCH_TEXT). SQLite adds a stored column only by rebuilding
the table (store.schema runs the upgrade with foreign keys off and checks them before commit).
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# As store.models.CITIZEN_SEARCH_TEXT when this revision was written (a migration never follows
# later changes of the model).
SEARCH_TEXT = (
    "lower(replace(replace(replace(replace(replace(replace(replace(replace("
    "first_name || ' ' || last_name || ' ' || alias || ' ' || id, "
    "'Æ', 'ae'), 'æ', 'ae'), 'Ø', 'oe'), 'ø', 'oe'), 'Å', 'aa'), 'å', 'aa'), 'É', 'e'), 'é', 'e'))"
)


def _recreate() -> Literal["always", "never"]:
    # SQLite cannot ALTER TABLE ADD a stored generated column: the table is rebuilt. PostgreSQL adds it.
    return "always" if op.get_bind().dialect.name == "sqlite" else "never"


def upgrade() -> None:
    with op.batch_alter_table("citizens", recreate=_recreate()) as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.Text(), sa.Computed(SEARCH_TEXT, persisted=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("citizens", recreate=_recreate()) as batch_op:
        batch_op.drop_column("search_text")
