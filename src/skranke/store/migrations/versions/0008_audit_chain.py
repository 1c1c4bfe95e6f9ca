"""audit log: a SHA-256 chain over the events, and the chain's head

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

Tamper-evident audit (DESIGN §1 "Staff, access and the audit log", issue 25): every event gets
the hash of the event before it (`prev_hash`) and its own (`hash`, domain.audit_chain), and
the one-row table `audit_chain` holds the last event's id and hash, which every writer updates
first (store.audit_chain). The events already in the store are chained here in id order. The
triggers that refuse UPDATE are dropped for that and made again, as 0002 made them.
"""

import sqlalchemy as sa
from alembic import op

from skranke.domain.audit_chain import GENESIS, event_hash

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 5_000

_EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("actor", sa.String()),
    sa.column("workstation", sa.String()),
    sa.column("action", sa.String()),
    sa.column("citizen_id", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("detail", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _drop_refusal_of_update(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")


def _refuse_update_again(dialect: str) -> None:
    # As 0002's create_append_only_triggers made them (the PostgreSQL function is still there).
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: {verb} refused'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION skranke_refuse_change()"
        )


def _chain_the_events_there_are() -> tuple[int, str]:
    """Every event's hashes, in id order, a batch at a time; the last id and hash."""
    from datetime import UTC

    bind = op.get_bind()
    e = _EVENTS.c
    last_id, prev_hash = 0, GENESIS
    while True:
        rows = bind.execute(
            sa.select(e.id, e.at, e.actor, e.workstation, e.action, e.citizen_id, e.entity, e.entity_id, e.detail)
            .where(e.id > last_id)
            .order_by(e.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return last_id, prev_hash
        hashes = []
        for row in rows:
            # Stored as UTC without a zone (store.models.UTCDateTime).
            own = event_hash(prev_hash, row[0], row[1].replace(tzinfo=UTC), *row[2:])
            hashes.append({"event_id": row[0], "prev": prev_hash, "own": own})
            prev_hash = own
        bind.execute(
            _EVENTS.update()
            .where(e.id == sa.bindparam("event_id"))
            .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("own")),
            hashes,
        )
        last_id = rows[-1][0]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_refusal_of_update(dialect)
    op.add_column("audit_events", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_events", sa.Column("hash", sa.String(length=64), nullable=True))
    last_id, last_hash = _chain_the_events_there_are()
    # SQLite makes a column NOT NULL by copying the table (its triggers go with the old one).
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    _refuse_update_again(dialect)
    head = op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain")),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": last_id, "last_hash": last_hash}])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("audit_chain")
    _drop_refusal_of_update(dialect)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    _refuse_update_again(dialect)
