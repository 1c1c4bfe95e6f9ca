"""The demo's report against a hand count of the demo's own cases (simple code, not domain.figures)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from skranke.cli import main
from skranke.config import load_settings
from skranke.services.context import Skranke
from skranke.store.models import Case

NOW = "2026-04-09T09:00"


def test_the_demo_report_matches_a_hand_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path}/demo.db"
    assert main(["demo", "--no-open", "--db", db, "--now", NOW]) == 0
    skranke = Skranke.from_settings(load_settings(db=db, now=NOW))
    try:
        with skranke.database.reading() as session:
            cases = session.execute(select(Case)).scalars().all()
            rows = [(c.contact_date, c.treatment_start, c.closed_on, c.closing_status, c.outcome, c.paragraph,
                     c.free_choice, c.citizen_id, c.goals_reached) for c in cases]  # fmt: skip
    finally:
        skranke.close()
    first, last, today = date(2025, 4, 1), date(2026, 4, 9), date(2026, 4, 9)
    capsys.readouterr()
    monkeypatch.setenv("SKRANKE_STAFF", "PL")
    monkeypatch.setenv("SKRANKE_PIN", "3333")
    argv = ["report", "--from", first.isoformat(), "--to", last.isoformat(), "--json", "--db", db, "--now", NOW]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)

    def shown(selected: Sequence[tuple[object, ...]]) -> int | str:
        citizens = {row[7] for row in selected}
        return "<5" if 0 < len(citizens) < 5 else len(selected)

    requests = [r for r in rows if first <= r[0] <= last]
    assert data["guarantee"]["requests"] == shown(requests)
    # Odense's guarantee: SEL101, SUL142 (not anonymous SEL101a, not a free choice), 14 days.
    guaranteed = [r for r in requests if r[5] in ("SEL101", "SUL142") and not r[6]]
    in_time = [r for r in guaranteed if r[1] is not None and (r[1] - r[0]).days <= 14]
    late = [r for r in guaranteed if r[1] is not None and (r[1] - r[0]).days > 14]
    late += [r for r in guaranteed if r[1] is None and r[0] + timedelta(days=14) < (r[2] or today)]
    assert data["guarantee"]["started_in_time"] == shown(in_time)
    assert data["guarantee"]["exceeded"] == shown(late)
    discharged = [r for r in rows if r[2] is not None and first <= r[2] <= last]
    for status in ("færdigbehandlet", "udeblevet", "eget ønske"):
        assert data["discharges"]["by_status"][status] == shown([r for r in discharged if r[3] == status])
    for outcome in ("stoffri", "reduceret", "uaendret"):
        assert data["discharges"]["by_outcome"][outcome] == shown([r for r in discharged if r[4] == outcome])
    # The demo has variety: more than one outcome and answer among the discharges.
    assert len({r[4] for r in rows if r[2] is not None} - {None}) >= 2
    assert len({r[8] for r in rows if r[2] is not None} - {None}) >= 2
