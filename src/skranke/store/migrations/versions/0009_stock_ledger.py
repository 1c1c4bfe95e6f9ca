"""the controlled-substance ledger: stock entries, receipts awaiting a witness, stock tasks

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-09

Narkotikaregnskab (issue 27, DESIGN §1 "Controlled-substance accounts"; BEK 2446/2021 §§ 20-21):
- `stock_entries`: one append-only ledger per service and preparation (receipt, issue, reversal,
  waste, transfer out and in, count), each entry the signed mg the balance changes by, so the
  balance is a sum and no row holds it for two workstations to lose an update on. Triggers refuse
  UPDATE and DELETE, as for the audit log (0002). One issue per dose and at most one reversal.
- `pending_receipts`: receipts from the pharmacy system (`lager*.csv`) waiting for a witness.
- `tasks.citizen_id` may be NULL for the stock task kinds (a difference beyond the tolerance, a
  balance below zero), which are about a service's stock, not a citizen.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OLD_TASK_KINDS = (
    "'child_assessment', 'cooperate_children_services', 'detention_contract_offer', 'doctor_talk', "
    "'familieambulatoriet', 'follow_up', 'infection_screening', 'notify_children_services', "
    "'parental_consent', 'tell_doctor'"
)
_NEW_TASK_KINDS = _OLD_TASK_KINDS + ", 'stock_difference', 'stock_negative'"
_STOCK_TASK_KINDS = "'stock_difference', 'stock_negative'"
# As models.STOCK_ENTRY_CHECKS says them at this revision (a migration keeps its own copy).
_CHECKS = {
    "kind_known": "kind IN ('count', 'issue', 'receipt', 'reversal', 'transfer_in', 'transfer_out', 'waste')",
    "mg_signed_by_kind": "(kind IN ('receipt', 'reversal', 'transfer_in') AND mg > 0) OR (kind IN ('issue', 'waste', 'transfer_out') AND mg < 0) OR (kind = 'count' AND counted_mg IS NOT NULL AND expected_mg IS NOT NULL AND counted_mg >= 0 AND mg = counted_mg - expected_mg)",
    "counted_only_on_count": "kind = 'count' OR (counted_mg IS NULL AND expected_mg IS NULL)",
    "dose_entries_name_the_dose": "(kind IN ('issue', 'reversal')) = (dispensing_id IS NOT NULL)",
    "transfer_names_the_other_service": "(kind IN ('transfer_in', 'transfer_out')) = (other_service IS NOT NULL)",
    "witness_is_another": "witness_id IS NULL OR witness_id <> staff_id",
    "witnessed": "witness_id IS NOT NULL OR kind IN ('issue', 'reversal', 'transfer_in') "
    "OR (kind = 'count' AND mg = 0)",
    "waste_and_difference_with_reason": "length(reason) > 0 OR NOT (kind = 'waste' OR (kind = 'count' AND mg <> 0))",
    "receipt_link_only_on_receipt": "pending_receipt_id IS NULL OR kind = 'receipt'",
}


def upgrade() -> None:
    op.create_table(
        "pending_receipts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("preparation", sa.String(length=64), nullable=False),
        sa.Column("strength", sa.String(length=64), nullable=False),
        sa.Column("mg", sa.Numeric(12, 2), nullable=False),
        sa.Column("lot", sa.String(length=100), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("invoice", sa.String(length=100), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("mg > 0", name=op.f("ck_pending_receipts_mg_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_receipts")),
    )
    op.create_table(
        "stock_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("preparation", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mg", sa.Numeric(12, 2), nullable=False),
        sa.Column("counted_mg", sa.Numeric(12, 2), nullable=True),
        sa.Column("expected_mg", sa.Numeric(12, 2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("invoice", sa.String(length=100), nullable=False),
        sa.Column("lot", sa.String(length=100), nullable=False),
        sa.Column("other_service", sa.String(length=64), nullable=True),
        sa.Column("dispensing_id", sa.Integer(), nullable=True),
        sa.Column("pending_receipt_id", sa.String(length=64), nullable=True),
        sa.Column("staff_id", sa.String(length=16), nullable=False),
        sa.Column("witness_id", sa.String(length=16), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        *(sa.CheckConstraint(sql, name=op.f(f"ck_stock_entries_{name}")) for name, sql in _CHECKS.items()),
        sa.ForeignKeyConstraint(
            ["dispensing_id"],
            ["dispensings.id"],
            name=op.f("fk_stock_entries_dispensing_id_dispensings"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pending_receipt_id"],
            ["pending_receipts.id"],
            name=op.f("fk_stock_entries_pending_receipt_id_pending_receipts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_stock_entries_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["staff.id"], name=op.f("fk_stock_entries_witness_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_entries")),
        sa.UniqueConstraint("dispensing_id", "kind", name="uq_stock_entries_one_per_dose"),
        sa.UniqueConstraint("pending_receipt_id", name=op.f("uq_stock_entries_pending_receipt_id")),
    )
    op.create_index("ix_stock_entries_account", "stock_entries", ["service", "preparation", "id", "mg"])
    op.create_index("ix_stock_entries_recorded_at", "stock_entries", ["recorded_at"])
    op.create_index(
        "ix_stock_entries_counts",
        "stock_entries",
        ["service", "preparation", "recorded_at"],
        sqlite_where=sa.text("kind = 'count'"),
        postgresql_where=sa.text("kind = 'count'"),
    )
    _append_only(op.get_bind().dialect.name)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column("citizen_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_tasks_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", f"kind IN ({_NEW_TASK_KINDS})")
        batch_op.create_check_constraint(
            "citizen_unless_stock", f"citizen_id IS NOT NULL OR kind IN ({_STOCK_TASK_KINDS})"
        )
    _follow_up_index_again()


def _follow_up_index_again() -> None:
    # SQLite's batch copy of `tasks` may not carry the partial unique index of 0002 over: made
    # again as 0002 made it (PostgreSQL alters in place and keeps it).
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX IF EXISTS uq_tasks_one_follow_up")
    op.create_index(
        "uq_tasks_one_follow_up",
        "tasks",
        ["case_id", "follow_up_month"],
        unique=True,
        sqlite_where=sa.text("kind = 'follow_up'"),
    )


def _append_only(dialect: str) -> None:
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER stock_entries_no_{verb.lower()} BEFORE {verb} ON stock_entries "
                f"BEGIN SELECT RAISE(ABORT, 'stock_entries is append-only: {verb} refused'); END"
            )
        return
    # skranke_refuse_change() is 0002's.
    op.execute(
        "CREATE TRIGGER stock_entries_append_only BEFORE UPDATE OR DELETE ON stock_entries "
        "FOR EACH ROW EXECUTE FUNCTION skranke_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER stock_entries_no_truncate BEFORE TRUNCATE ON stock_entries "
        "FOR EACH STATEMENT EXECUTE FUNCTION skranke_refuse_change()"
    )


def downgrade() -> None:
    # A store with stock tasks fails the restored NOT NULL here: the ledger's history is not
    # something a downgrade may drop silently.
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tasks_citizen_unless_stock"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_tasks_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", f"kind IN ({_OLD_TASK_KINDS})")
        batch_op.alter_column("citizen_id", existing_type=sa.String(length=64), nullable=False)
    _follow_up_index_again()
    op.drop_table("stock_entries")  # its triggers go with it
    op.drop_table("pending_receipts")
