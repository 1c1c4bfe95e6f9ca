"""The import's dispensing rules of issue 24: the heroin clinic supervises methadone and morphine
(Odense, 000 § 5.4), and the new optional column `udlevering_godkendt` (Gladsaxe, 003 § 3.2.1)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from skranke.services.context import Skranke
from skranke.services.sync import run_sync
from skranke.store.models import Prescription
from tests.conftest import SkrankeAt
from tests.services.test_sync import CITIZENS, NOW, write

HEADER = "ordination_id;borger_id;praeparat;dosis_mg;udlevering;overvaaget;gyldig_fra;gyldig_til;udbringning\n"
HEROIN = "H1;B1;diacetylmorfin;200;FREQ=DAILY;ja;01.04.2026;;nej\n"


def prescriptions(skranke: Skranke) -> dict[str, Prescription]:
    with skranke.database.reading() as session:
        return {p.id: p for p in session.scalars(select(Prescription))}


def test_odense_refuses_methadone_going_home_for_a_heroin_clinic_citizen(skranke_at: SkrankeAt, tmp_path: Path) -> None:
    """000 § 5.4 (Heroinklinikken): "Overvåget indtag af heroin samt metadon eller morfin"."""
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    rows = (
        HEADER
        + HEROIN
        + 'M1;B1;metadon;60;"FREQ=WEEKLY;BYDAY=MO,TH";nej;01.04.2026;;nej\n'
        + "M2;B1;morfin;30;FREQ=DAILY;ja;01.04.2026;;ja\n"
    )
    write(inbox, "ordinationer_1.csv", rows)
    result = run_sync(skranke)
    outcome = result.files[1]
    assert outcome.outcome == "rejected"
    reason = (
        "tages under overvågning i Heroinklinikken, hvor borgeren har en heroinordination "
        "(000 § 5.4, Heroinklinikken: 'Overvåget indtag af heroin samt metadon eller morfin'): "
    )
    assert outcome.errors == [
        f"ordinationer_1.csv:3: kolonne 'udlevering': Metadon {reason}udleveringsreglen skal være FREQ=DAILY",
        f"ordinationer_1.csv:3: kolonne 'overvaaget': Metadon {reason}overvaaget skal være ja",
        f"ordinationer_1.csv:4: kolonne 'udbringning': Morfin {reason}udbringning skal være nej",
    ]
    assert prescriptions(skranke) == {}


def test_the_heroin_order_may_be_in_the_store_already_and_must_overlap(skranke_at: SkrankeAt, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    write(inbox, "ordinationer_1.csv", HEADER + HEROIN.replace(";;nej", ";30.04.2026;nej"))
    assert [f.outcome for f in run_sync(skranke).files] == ["imported", "imported"]
    # Overlaps the stored heroin order: refused.
    write(inbox, "ordinationer_2.csv", HEADER + "M1;B1;metadon;60;FREQ=DAILY;nej;15.04.2026;;nej\n")
    second = run_sync(skranke).files[0]
    assert second.outcome == "rejected" and "kolonne 'overvaaget'" in second.errors[0]
    # Negative: after the heroin order has ended the methadone goes with the medicine room.
    write(inbox, "ordinationer_3.csv", HEADER + "M1;B1;metadon;60;FREQ=DAILY;nej;01.05.2026;;nej\n")
    assert run_sync(skranke).files[0].outcome == "imported"


def test_methadone_at_the_window_and_other_citizens_take_home_are_accepted(
    skranke_at: SkrankeAt, tmp_path: Path
) -> None:
    """Negative cases: supervised daily methadone beside heroin; take-home for a citizen without heroin."""
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    rows = (
        HEADER
        + HEROIN
        + "M1;B1;metadon;60;FREQ=DAILY;ja;01.04.2026;;nej\n"
        + 'M2;B2;metadon;60;"FREQ=WEEKLY;BYDAY=MO,TH";nej;01.04.2026;;ja\n'
    )
    write(inbox, "ordinationer_1.csv", rows)
    assert [f.outcome for f in run_sync(skranke).files] == ["imported", "imported"]
    assert sorted(prescriptions(skranke)) == ["H1", "M1", "M2"]


def test_gladsaxe_has_no_heroin_clinic_rule(skranke_at: SkrankeAt, tmp_path: Path) -> None:
    """003 names no heroin clinic: heroin is supervised (DESIGN §1), methadone may still go home."""
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, site="gladsaxe", inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    write(inbox, "ordinationer_1.csv", HEADER + HEROIN + "M1;B1;metadon;60;FREQ=DAILY;nej;01.04.2026;;nej\n")
    assert [f.outcome for f in run_sync(skranke).files] == ["imported", "imported"]


def test_udlevering_godkendt_is_read_into_approved_on(skranke_at: SkrankeAt, tmp_path: Path) -> None:
    """003 § 3.2.1: "Visitation til denne ordning forudsætter en godkendelse i Rusmiddelcentrets
    visitationsudvalg": the export's approval date goes to Prescription.approved_on."""
    inbox = tmp_path / "inbox"
    skranke = skranke_at(NOW, site="gladsaxe", inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    header = HEADER.replace("udbringning\n", "udbringning;udlevering_godkendt\n")
    rows = (
        'D1;B1;metadon;60;"FREQ=WEEKLY;BYDAY=WE";nej;01.04.2026;;ja;25.03.2026\n'
        'D2;B2;metadon;60;"FREQ=WEEKLY;BYDAY=WE";nej;01.04.2026;;ja;\n'
    )
    write(inbox, "ordinationer_1.csv", header + rows)
    assert [f.outcome for f in run_sync(skranke).files] == ["imported", "imported"]
    stored = prescriptions(skranke)
    assert (stored["D1"].approved_on, stored["D2"].approved_on) == (date(2026, 3, 25), None)
