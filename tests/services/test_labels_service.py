"""Take-home labels from the dose record (issue 27) on SQLite and PostgreSQL: what the label says,
the audit event in the same transaction, and where the label goes (a printer via lp, or a file)."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import pytest

from skranke.services.access import Actor
from skranke.services.audit import audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import dispense
from skranke.services.errors import DeskRefusal
from skranke.services.labels import LabelNotPrinted, deliver_label, take_home_label
from tests.conftest import SkrankeAt, signed_in
from tests.documents.conftest import pdf_text
from tests.services.test_dispensing_service import NOW, seed

# Thursday's supervised dose with the weekend at home: Monday and Thursday are pickup days.
TWICE_A_WEEK = "FREQ=WEEKLY;BYDAY=MO,TH"
Window = tuple[Skranke, Actor]  # the `window` fixture: the store and the nurse at the window


@pytest.fixture
def window(skranke_at: SkrankeAt) -> Window:
    skranke = skranke_at(NOW)
    seed(skranke, pickup_rule=TWICE_A_WEEK, dose_mg=Decimal("72.5"))
    return skranke, signed_in(skranke, "nurse", initials="SYG")


def labels_logged(skranke: Skranke) -> list[tuple[str, str | None, str, str]]:
    events = audit_events(skranke, signed_in(skranke, "admin", initials="ADM"))
    return [(e.staff, e.citizen_id, e.entity_id, e.detail["take_home_mg"]) for e in events if e.action == "label"]


def test_the_label_of_a_take_home_dose_says_what_goes_home_and_is_logged(window: Window) -> None:
    skranke, nurse = window
    given = dispense(skranke, nurse, "O1", "given")
    assert (given.covers_days, given.take_home_mg) == (4, Decimal("217.5"))  # Friday to Sunday at home

    text = pdf_text(take_home_label(skranke, nurse, given.dispensing_id))
    assert "Søren Ågård" in text and "født 01.01.1980" in text
    assert "Metadon 1 mg/ml" in text  # the site file's strength
    assert "Dosis pr. dag: 72,5 mg (72,5 ml)" in text  # metadon's mg_per_ml = 1 in the site file
    assert "3 dage · i alt 217,5 mg (217,5 ml)" in text
    assert f"Udleveret 09.04.2026 af SYG · nr. {given.dispensing_id}" in text
    assert "Opbevares utilgængeligt for børn" in text
    assert "Behandlingscenter Odense, Medicinudlevering" in text and "Grønlandsgade 13" in text
    assert labels_logged(skranke) == [("SYG", "B1", str(given.dispensing_id), "217.50")]


def test_a_dose_with_nothing_to_take_home_gets_no_label_and_no_event(skranke_at: SkrankeAt) -> None:
    skranke = skranke_at(NOW)
    seed(skranke)  # daily, supervised: nothing goes home
    nurse = signed_in(skranke, "nurse", initials="SYG")
    given = dispense(skranke, nurse, "O1", "given")
    no_take_home = r"har ingen medgivet medicin: en etiket følger kun medicin, der tages med hjem"
    with pytest.raises(DeskRefusal, match=no_take_home):
        take_home_label(skranke, nurse, given.dispensing_id)
    with pytest.raises(DeskRefusal, match="Ingen udlevering 999"):
        take_home_label(skranke, nurse, 999)
    assert labels_logged(skranke) == []


def test_a_voided_dose_gets_no_label(window: Window) -> None:
    skranke, nurse = window
    from skranke.services.dispensing import void

    given = dispense(skranke, nurse, "O1", "given")
    void(skranke, signed_in(skranke, "doctor", initials="LGE"), given.dispensing_id, "forkert borger")
    with pytest.raises(DeskRefusal, match="er annulleret"):
        take_home_label(skranke, nurse, given.dispensing_id)


def test_without_a_printer_the_label_is_saved_in_the_data_folder_or_where_asked(window: Window, tmp_path: Path) -> None:
    skranke, nurse = window
    given = dispense(skranke, nurse, "O1", "given")
    data = take_home_label(skranke, nurse, given.dispensing_id)
    asked = deliver_label(skranke, given.dispensing_id, data, tmp_path / "here" / "label.pdf")
    assert asked.path is not None
    assert asked.path == tmp_path / "here" / "label.pdf" and asked.path.read_bytes() == data
    assert asked.printer is None
    if skranke.settings.db and skranke.settings.db.startswith("sqlite"):
        kept = deliver_label(skranke, given.dispensing_id, data)
        assert kept.path is not None
        assert kept.path == skranke.data_dir() / "labels" / f"label-{given.dispensing_id}.pdf"
        assert kept.path.read_bytes() == data


def fake_lp(folder: Path, exit_code: int = 0) -> Path:
    """An `lp` that keeps its arguments and the file it was given, and ends with `exit_code`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{folder}/args"\n'
        f'cp "$3" "{folder}/printed.pdf"\n'
        f'[ {exit_code} -eq 0 ] || echo "lp: The printer or class does not exist." >&2\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


class LpOnPath(Protocol):
    """The `lp_on_path` fixture: puts a fake `lp` ending with `exit_code` first on PATH, its folder."""

    def __call__(self, exit_code: int = 0) -> Path: ...


@pytest.fixture
def lp_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LpOnPath:
    def install(exit_code: int = 0) -> Path:
        folder = fake_lp(tmp_path / f"bin{exit_code}", exit_code)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
        return folder

    return install


def test_with_a_printer_the_label_goes_to_lp_and_is_not_kept(window: Window, lp_on_path: LpOnPath) -> None:
    skranke, nurse = window
    skranke.settings = replace(skranke.settings, label_printer="QL-800")
    spool = lp_on_path()
    given = dispense(skranke, nurse, "O1", "given")
    data = take_home_label(skranke, nurse, given.dispensing_id)
    delivered = deliver_label(skranke, given.dispensing_id, data)
    assert (delivered.printer, delivered.path) == ("QL-800", None)
    assert (spool / "args").read_text().split()[:2] == ["-d", "QL-800"]
    assert (spool / "printed.pdf").read_bytes() == data
    assert not Path((spool / "args").read_text().split()[2]).exists()  # the spooled copy is gone
    assert "sendt til printeren QL-800" in delivered.words()


def test_a_failing_printer_is_a_clear_error_and_the_label_is_saved(
    window: Window, lp_on_path: LpOnPath, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skranke, nurse = window
    skranke.settings = replace(skranke.settings, label_printer="QL-800")
    monkeypatch.setattr("skranke.services.labels.label_folder", lambda _skranke: tmp_path / "labels")
    lp_on_path(exit_code=1)
    given = dispense(skranke, nurse, "O1", "given")
    data = take_home_label(skranke, nurse, given.dispensing_id)
    fault = r"ikke udskrevet på QL-800: lp: The printer or class does not exist\."
    with pytest.raises(LabelNotPrinted, match=fault) as e:
        deliver_label(skranke, given.dispensing_id, data)
    saved = tmp_path / "labels" / f"label-{given.dispensing_id}.pdf"
    assert str(saved) in str(e.value) and saved.read_bytes() == data


def test_no_lp_at_all_is_said_in_words(window: Window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    skranke, nurse = window
    skranke.settings = replace(skranke.settings, label_printer="QL-800")
    monkeypatch.setattr("skranke.services.labels.label_folder", lambda _skranke: tmp_path / "labels")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    given = dispense(skranke, nurse, "O1", "given")
    with pytest.raises(LabelNotPrinted, match=r"kommandoen lp er ikke installeret"):
        deliver_label(skranke, given.dispensing_id, take_home_label(skranke, nurse, given.dispensing_id))


def test_a_reception_role_may_not_make_a_label(window: Window) -> None:
    skranke, nurse = window
    from skranke.services.access import AccessError

    given = dispense(skranke, nurse, "O1", "given")
    with pytest.raises(AccessError):
        take_home_label(skranke, signed_in(skranke, "reception", initials="KJ"), given.dispensing_id)
    assert labels_logged(skranke) == []
