"""check-ins: undone the same day, recorded and never deleted

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

A check-in made by mistake (the wrong citizen, the wrong place) can be undone the same day until
a dose is given on it (DESIGN §1 "Safe at the window"). The undo is written on the check-in (who,
when, why), never a delete: triggers refuse DELETE and any UPDATE but setting the undo once, as
they do for a dispensing's void. The once-a-day rule becomes a partial unique index over the
check-ins not undone, so the citizen may check in again after an undo.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# What a check-in says once written; only its undo may be added, once.
_CHECK_IN_FIXED = ("citizen_id", "department", "service_date", "checked_in_at", "staff_id", "workstation")


def upgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undone_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("undone_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("undo_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_check_ins_undone_by_staff"), "staff", ["undone_by"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint(
            "undone_with_who_and_why",
            "(undone_at IS NULL AND undone_by IS NULL AND undo_reason IS NULL) OR "
            "(undone_at IS NOT NULL AND undone_by IS NOT NULL AND length(undo_reason) > 0)",
        )
        batch_op.drop_constraint("uq_check_ins_once_a_day", type_="unique")
        batch_op.create_index(
            "uq_check_ins_once_a_day",
            ["citizen_id", "department", "service_date"],
            unique=True,
            sqlite_where=sa.text("undone_at IS NULL"),
            postgresql_where=sa.text("undone_at IS NULL"),
        )
    _create_triggers(op.get_bind().dialect.name)


def _create_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER check_ins_no_delete BEFORE DELETE ON check_ins "
            "BEGIN SELECT RAISE(ABORT, 'check_ins are never deleted: an undo is recorded instead'); END"
        )
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _CHECK_IN_FIXED)
        op.execute(
            "CREATE TRIGGER check_ins_undo_only BEFORE UPDATE ON check_ins "
            f"WHEN OLD.undone_at IS NOT NULL OR NEW.undone_at IS NULL OR {changed} "
            "BEGIN SELECT RAISE(ABORT, 'check_ins are append-only: only an undo may be added'); END"
        )
        return
    op.execute(
        "CREATE TRIGGER check_ins_no_delete BEFORE DELETE OR TRUNCATE ON check_ins "
        "FOR EACH STATEMENT EXECUTE FUNCTION skranke_refuse_change()"
    )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _CHECK_IN_FIXED)
    op.execute(
        "CREATE FUNCTION skranke_check_in_undo_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF OLD.undone_at IS NOT NULL OR NEW.undone_at IS NULL OR {changed} THEN "
        "RAISE EXCEPTION 'check_ins are append-only: only an undo may be added'; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER check_ins_undo_only BEFORE UPDATE ON check_ins "
        "FOR EACH ROW EXECUTE FUNCTION skranke_check_in_undo_only()"
    )


def _drop_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS check_ins_no_delete")
        op.execute("DROP TRIGGER IF EXISTS check_ins_undo_only")
        return
    op.execute("DROP TRIGGER IF EXISTS check_ins_no_delete ON check_ins")
    op.execute("DROP TRIGGER IF EXISTS check_ins_undo_only ON check_ins")
    op.execute("DROP FUNCTION IF EXISTS skranke_check_in_undo_only()")


def downgrade() -> None:
    # A store with a check-in undone and made again the same day fails the constraint here:
    # the undo is health data's history, not something a downgrade may drop.
    _drop_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("uq_check_ins_once_a_day")
        batch_op.create_unique_constraint("uq_check_ins_once_a_day", ["citizen_id", "department", "service_date"])
        batch_op.drop_constraint("undone_with_who_and_why", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_check_ins_undone_by_staff"), type_="foreignkey")
        batch_op.drop_column("undo_reason")
        batch_op.drop_column("undone_by")
        batch_op.drop_column("undone_at")
