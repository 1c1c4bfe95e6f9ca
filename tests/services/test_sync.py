"""Import semantics on SQLite and PostgreSQL: whole files or nothing, every reason, no repeats."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from skranke.i18n import set_language
from skranke.services.context import Skranke
from skranke.services.sync import run_sync, sync_overview, write_outbox
from skranke.store.imports import record_event
from skranke.store.models import Case, CheckIn, Citizen, SyncRun
from tests.conftest import SkrankeAt

NOW = "2026-04-09T08:00"
BOM = b"\xef\xbb\xbf"

CITIZENS = "borger_id;cpr;fornavn;efternavn;alias;telefon\nB1;010180-1234;Anna;Hansen;Anna H;20 30 40 50\nB2;;;;Kaj;\n"
CASES = (
    "sag_id;borger_id;afdeling;paragraf;henvendelse;behandlingsstart;frit_valg\n"
    "S1;B1;stabilisering;SEL101;01-04-2026;;nej\n"
    "S2;B2;unge-og-rusmidler;SEL101a;02.04.2026;;nej\n"
)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes((BOM if bom else b"") + text.encode(encoding))
    return path


def _file(name: str | None) -> Path:
    """A file an outcome names (report, moved_to): None fails the test."""
    assert name is not None, "no file named"
    return Path(name)


def table(skranke: Skranke, model: type[Citizen | Case | CheckIn]) -> list[dict[str, object]]:
    with skranke.database.reading() as session:
        return [
            {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "imported_at"}
            for row in session.scalars(select(model).order_by(model.id))
        ]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


def test_a_morning_export_imports_in_dependency_order(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "sager_2026-04-09.csv", CASES)  # named so it would sort first by name
    write(inbox, "borgere_2026-04-09.csv", CITIZENS, bom=True)
    result = run_sync(skranke)
    assert [(f.name, f.outcome, f.inserted) for f in result.files] == [
        ("borgere_2026-04-09.csv", "imported", 2),
        ("sager_2026-04-09.csv", "imported", 2),
    ]
    citizens = table(skranke, Citizen)
    assert citizens[0]["cpr"] == "0101801234" and citizens[1]["cpr"] is None
    assert sorted(p.name for p in (inbox / "imported").iterdir()) == ["borgere_2026-04-09.csv", "sager_2026-04-09.csv"]
    assert not any(p.suffix == ".csv" for p in inbox.iterdir())


def test_one_bad_row_rejects_the_whole_file_and_the_store_is_unchanged(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    run_sync(skranke)
    before = table(skranke, Citizen), table(skranke, Case)
    bad = (
        "sag_id;borger_id;afdeling;paragraf;henvendelse\n"
        "S1;B1;stabilisering;SEL101;01-04-2026\n"
        "S2;B2;kantinen;SEL101;02-04-2026\n"
        "S3;B1;stoffrihed;SEL101;31-02-2026\n"
        "S4;B9;stoffrihed;SEL101;01-04-2026\n"
    )
    write(inbox, "sager_2.csv", bad)
    result = run_sync(skranke)
    outcome = result.files[0]
    assert outcome.outcome == "rejected" and result.any_rejected
    assert (table(skranke, Citizen), table(skranke, Case)) == before
    report = _file(outcome.report).read_text(encoding="utf-8").splitlines()
    assert report == [
        "sager_2.csv:3: kolonne 'afdeling': ukendt afdeling 'kantinen': stedet har unge-og-rusmidler, "
        "stabilisering, stoffrihed, heroinklinikken, medicinudlevering (værdi 'kantinen')",
        "sager_2.csv:4: kolonne 'henvendelse': datoen findes ikke (værdi '31-02-2026')",
    ]
    assert outcome.errors == report  # what the screen and the summary show
    assert _file(outcome.moved_to).parent.name == "rejected"
    with skranke.database.reading() as session:
        run = session.scalars(select(SyncRun).where(SyncRun.outcome == "rejected")).one()
        assert run.rejected_rows == 2 and run.report_path == outcome.report


def test_rows_of_unknown_citizens_are_rejected_with_the_reason(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    write(inbox, "sager_1.csv", CASES.replace("S2;B2", "S2;B7"))
    result = run_sync(skranke)
    assert [f.outcome for f in result.files] == ["imported", "rejected"]
    assert result.files[1].errors == [
        "sager_1.csv:3: kolonne 'borger_id': borger findes ikke: hverken i databasen eller i en tidligere fil"
        " (værdi 'B7')"
    ]
    assert table(skranke, Case) == []


def test_a_cpr_number_taken_by_another_citizen_is_rejected(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    run_sync(skranke)
    write(inbox, "borgere_2.csv", "borger_id;cpr\nB3;010180-1234\n")
    outcome = run_sync(skranke).files[0]
    assert outcome.outcome == "rejected"
    assert outcome.errors == ["borgere_2.csv:2: kolonne 'cpr': CPR-nummeret tilhører allerede borger 'B1'"]


@pytest.mark.parametrize(
    ("chunk", "whole_column_share"),
    [(1, 0), (1, 10_000)],
    ids=["in-lists-of-one", "whole-column"],
)
def test_references_are_checked_the_same_by_in_lists_or_the_whole_column(
    skranke_at: SkrankeAt, inbox: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, whole_column_share: int
) -> None:
    """A bulk file's look-ups read the whole column instead of IN lists: the same verdicts."""
    monkeypatch.setattr("skranke.store.imports.CHUNK", chunk)
    monkeypatch.setattr("skranke.store.imports.WHOLE_COLUMN_SHARE", whole_column_share)
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_1.csv", CITIZENS)
    run_sync(skranke)
    write(inbox, "borgere_2.csv", "borger_id;cpr\nB3;010180-1234\nB4;020280-1234\nB2;\n")
    write(inbox, "sager_2.csv", CASES.replace("S2;B2", "S2;B7") + "S3;B1;stabilisering;SEL101;03-04-2026;;nej\n")
    citizens, cases = run_sync(skranke).files
    assert citizens.errors == ["borgere_2.csv:2: kolonne 'cpr': CPR-nummeret tilhører allerede borger 'B1'"]
    assert cases.errors == [
        "sager_2.csv:3: kolonne 'borger_id': borger findes ikke: hverken i databasen eller i en tidligere fil"
        " (værdi 'B7')"
    ]


def test_a_rejected_file_is_reported_in_english_when_the_language_is_english(
    skranke_at: SkrankeAt, inbox: Path
) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    set_language("en")
    write(inbox, "borgere_1.csv", CITIZENS)
    write(
        inbox,
        "sager_1.csv",
        (
            "sag_id;borger_id;afdeling;paragraf;henvendelse\n"
            "S1;B1;kantinen;SEL101;01-04-2026\n"
            "S2;B7;stoffrihed;SEL101;01-04-2026\n"
        ),
    )
    result = run_sync(skranke)
    assert [f.outcome for f in result.files] == ["imported", "rejected"]
    outcome = result.files[1]
    expected = [
        "sager_1.csv:2: column 'afdeling': unknown department 'kantinen': the site has unge-og-rusmidler, "
        "stabilisering, stoffrihed, heroinklinikken, medicinudlevering (value 'kantinen')",
    ]
    assert _file(outcome.report).name == "sager_1.csv.fejl.txt"
    assert _file(outcome.report).read_text(encoding="utf-8").splitlines() == expected
    assert outcome.errors == expected
    # The reference check runs only on a file that reads well; its message is English too.
    write(inbox, "sager_2.csv", "sag_id;borger_id;afdeling;paragraf;henvendelse\nS2;B7;stoffrihed;SEL101;1.4.2026\n")
    outcome = run_sync(skranke).files[0]
    assert _file(outcome.report).read_text(encoding="utf-8").splitlines() == [
        "sager_2.csv:2: column 'borger_id': unknown citizen: not in the store nor in an earlier file (value 'B7')"
    ]


def test_the_same_content_imported_twice_changes_nothing(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_a.csv", CITIZENS)
    run_sync(skranke)
    before = table(skranke, Citizen)
    write(inbox, "borgere_b.csv", CITIZENS)  # same bytes, another name
    result = run_sync(skranke)
    assert (result.files[0].outcome, result.files[0].rows, result.files[0].unchanged) == ("unchanged", 2, 2)
    assert table(skranke, Citizen) == before
    assert (inbox / "imported" / "borgere_b.csv").exists()


def test_a_changed_row_is_updated_and_the_rest_left_alone(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_a.csv", CITIZENS)
    run_sync(skranke)
    write(inbox, "borgere_b.csv", CITIZENS.replace("20 30 40 50", "99 88 77 66"))
    outcome = run_sync(skranke).files[0]
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 1)
    assert table(skranke, Citizen)[0]["phone"] == "99 88 77 66"


def test_windows_1252_files_with_danish_letters(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_w.csv", CITIZENS.replace("Hansen", "Ørskov-Åberg"), encoding="cp1252")
    run_sync(skranke)
    assert table(skranke, Citizen)[0]["last_name"] == "Ørskov-Åberg"


def test_an_import_never_touches_what_the_desk_recorded(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_a.csv", CITIZENS)
    run_sync(skranke)
    moment = skranke.clock.now()
    with skranke.database.transaction() as session:
        session.add(
            CheckIn(citizen_id="B1", department="medicinudlevering", service_date=moment.date(), checked_in_at=moment)
        )
    write(inbox, "borgere_b.csv", CITIZENS.replace("Anna;Hansen", "Anne;Hansen"))
    run_sync(skranke)
    assert [row["citizen_id"] for row in table(skranke, CheckIn)] == ["B1"]


def test_a_dry_run_reports_the_counts_and_changes_nothing(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    path = write(inbox, "borgere_a.csv", CITIZENS)
    result = run_sync(skranke, dry_run=True)
    assert result.files[0].inserted == 2
    assert table(skranke, Citizen) == [] and path.exists()


def test_the_outbox_gets_each_event_exactly_once(skranke_at: SkrankeAt, tmp_path: Path, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    outbox = tmp_path / "outbox"
    write(inbox, "borgere_a.csv", CITIZENS)
    run_sync(skranke, outbox=outbox)
    for minute in (1, 2):
        with skranke.database.transaction() as session:
            record_event(
                session,
                "check_in",
                datetime(2026, 4, 9, 8, minute, tzinfo=skranke.clock.now().tzinfo),
                {"citizen_id": "B1", "department": "medicinudlevering"},
            )
    first = write_outbox(skranke, outbox)
    assert first.events == 2 and first.written == ["haendelser_000000001-000000002.csv"]
    assert write_outbox(skranke, outbox).events == 0  # nothing new, nothing written
    lines = (outbox / first.written[0]).read_text(encoding="utf-8").splitlines()
    assert lines[0].split(";")[:4] == ["event_id", "haendelse", "tidspunkt", "borger_id"]
    assert len(lines) == 3
    assert sync_overview(skranke).pending_events == 0


def test_an_outbox_file_written_before_a_crash_is_not_written_again(
    skranke_at: SkrankeAt, tmp_path: Path, inbox: Path
) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    outbox = tmp_path / "outbox"
    write(inbox, "borgere_a.csv", CITIZENS)
    run_sync(skranke, outbox=outbox)
    with skranke.database.transaction() as session:
        record_event(session, "check_in", skranke.clock.now(), {"citizen_id": "B1"})
    # The crash: the file was renamed into place, the watermark's transaction never committed.
    from skranke.sync.outbox import write_outbox_file

    write_outbox_file(outbox, [{"event_id": 1, "haendelse": "check_in"}], 1, 1)
    result = write_outbox(skranke, outbox)
    assert result.events == 0
    assert sorted(p.name for p in outbox.iterdir()) == ["haendelser_000000001-000000001.csv"]
    assert sync_overview(skranke).pending_events == 0


def test_sync_overview_shows_the_last_runs(skranke_at: SkrankeAt, inbox: Path) -> None:
    skranke = skranke_at(NOW, inbox=str(inbox))
    write(inbox, "borgere_a.csv", CITIZENS)
    write(inbox, "sager_x.csv", "sag_id;borger_id\nS1;B1\n")
    run_sync(skranke)
    overview = sync_overview(skranke)
    assert [(r.file_name, r.outcome) for r in overview.runs] == [
        ("sager_x.csv", "rejected"),
        ("borgere_a.csv", "imported"),
    ]
    assert overview.last_sync is not None and overview.waiting_files == 0
