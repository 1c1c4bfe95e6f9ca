"""Issue 24's dispensing rules at the window (the queue and `dispense`), per site."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skranke.services.dispensing import dispense
from skranke.services.errors import DeskRefusal
from skranke.services.queue import QueueView, queue
from tests.conftest import SkrankeAt, signed_in
from tests.services.test_dispensing_service import TODAY, seed

MONDAY_DELIVERY = {"pickup_rule": "FREQ=WEEKLY;BYDAY=TH", "supervised": False, "delivery": True}


def _codes(view: QueueView, prescription_id: str) -> list[str]:
    rows = [*view.due, *view.deliveries]
    return [a.code for row in rows if row.dose.order.id == prescription_id for a in row.dose.alerts]


def test_gladsaxe_a_delivery_waits_for_the_committees_approval(skranke_at: SkrankeAt) -> None:
    """003 § 3.2.1: "Visitation til denne ordning forudsætter en godkendelse i Rusmiddelcentrets
    visitationsudvalg" (medicine dispensed "andre steder end på Rusmiddelcentrets adresse")."""
    skranke = skranke_at("2026-04-09T09:30", site="gladsaxe")
    seed(skranke, last_dispensed=TODAY - timedelta(days=7), **MONDAY_DELIVERY)
    nurse = signed_in(skranke, "nurse", initials="SYG")
    view = queue(skranke)
    assert [row.dose.state for row in view.deliveries] == ["blocked"]
    assert _codes(view, "O1") == ["approval_missing"]
    with pytest.raises(DeskRefusal, match="kræver godkendelse i visitationsudvalget"):
        dispense(skranke, nurse, "O1", "given")


def test_gladsaxe_a_delivery_with_an_approval_date_is_handed_out(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at("2026-04-09T09:30", site="gladsaxe")
    seed(skranke, last_dispensed=TODAY - timedelta(days=7), approved_on=date(2026, 3, 1), **MONDAY_DELIVERY)
    nurse = signed_in(skranke, "nurse", initials="SYG")
    assert [row.dose.state for row in queue(skranke).deliveries] == ["due"]
    assert dispense(skranke, nurse, "O1", "given").outcome == "given"


def test_odense_asks_no_approval_for_a_delivery(skranke_at: SkrankeAt) -> None:
    """Negative: 000/001 ask no approval (001 § 3.2.1 describes the delivery rounds only)."""
    skranke = skranke_at("2026-04-09T09:30")
    seed(skranke, last_dispensed=TODAY - timedelta(days=7), **MONDAY_DELIVERY)
    assert [row.dose.state for row in queue(skranke).deliveries] == ["due"]


def test_odense_heroin_clinic_methadone_stored_as_take_home_is_blocked(skranke_at: SkrankeAt) -> None:
    """000 § 5.4: "Overvåget indtag af heroin samt metadon eller morfin": an order stored before the
    rule (the import now refuses it) goes no further than the window at the heroin clinic."""
    skranke = skranke_at("2026-04-09T09:30")
    seed(skranke, supervised=False, pickup_rule="FREQ=WEEKLY;BYDAY=TH")
    from skranke.store.models import Prescription

    with skranke.database.transaction() as session:
        session.add(
            Prescription(
                id="H1",
                citizen_id="B1",
                preparation="diacetylmorfin",
                dose_mg=200,
                doses_per_day=2,
                pickup_rule="FREQ=DAILY",
                supervised=True,
                valid_from=date(2026, 1, 1),
                delivery=False,
                last_dispensed_on=TODAY - timedelta(days=1),
            )
        )
    view = queue(skranke, service="heroinklinikken")
    methadone = [row.dose for row in view.due if row.dose.order.id == "O1"]
    assert [d.state for d in methadone] == ["blocked"]
    assert "take_home_not_allowed" in _codes(view, "O1")
    # Heroin dose 2 at 09:30 belongs to the afternoon interval (001 afsnit 5).
    heroin = {row.dose.dose_number: row.dose for row in view.due if row.dose.order.id == "H1"}
    assert heroin[2].not_before is not None and (heroin[2].not_before.hour, heroin[2].not_before.minute) == (14, 30)
