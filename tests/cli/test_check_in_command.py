"""`skranke check-in`: check in, undo with a reason, and the exit codes of DESIGN §3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skranke.cli import main

NOW = "2026-11-23T09:30"


@pytest.fixture
def demo_db(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("SKRANKE_STAFF", "KJ")
    monkeypatch.setenv("SKRANKE_PIN", "1111")
    assert main(["demo", "--no-open", "--now", NOW]) == 0
    capsys.readouterr()
    return f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"


def test_check_in_undo_and_check_in_again(capsys: pytest.CaptureFixture[str], demo_db: str) -> None:
    where = ["--db", demo_db, "--now", NOW, "--department", "stoffrihed"]
    assert main(["check-in", "B0001", *where]) == 0
    said = capsys.readouterr().out
    assert said.endswith("er tjekket ind på Stoffrihed kl. 09.30.\n") and "B0001" not in said  # the name

    assert main(["check-in", "B0001", "--undo", "--reason", "forkert borger", "--json", *where]) == 0
    undone = json.loads(capsys.readouterr().out)
    assert (undone["citizen_id"], undone["department"], undone["staff"], undone["reason"]) == (
        "B0001",
        "stoffrihed",
        "KJ",
        "forkert borger",
    )
    assert undone["undone_at"].startswith("2026-11-23T09:30")

    # Not twice: refused with the rule's words (exit 1).
    assert main(["check-in", "B0001", "--undo", "--reason", "igen", *where]) == 1
    assert "er ikke tjekket ind i dag" in capsys.readouterr().err

    # The citizen may check in again.
    assert main(["check-in", "B0001", *where]) == 0


def test_usage_errors_exit_2_in_danish(capsys: pytest.CaptureFixture[str], demo_db: str) -> None:
    base = ["--db", demo_db, "--now", NOW]
    assert main(["check-in", "B0001", "--undo", *base]) == 2
    assert "--undo kræver --reason" in capsys.readouterr().err
    assert main(["check-in", "B0001", "--reason", "fejl", *base]) == 2
    assert "--reason hører sammen med --undo" in capsys.readouterr().err
    assert main(["check-in", "B0001", "--department", "nope", *base]) == 2
    err = capsys.readouterr().err
    assert "'nope' er ikke en afdeling" in err and "medicinudlevering" in err
