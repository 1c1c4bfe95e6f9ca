"""Every error the command line prints is one Danish sentence (English with --language en):
no English word from a known list, no role code, no traceback."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet  # what pytest.param gives; pytest exports no name for it

from skranke.cli import COMMANDS, main
from skranke.config import SETTING_NAMES
from skranke.services.context import Skranke

NOW = "2026-11-23T09:30"

# Words of English sentences that have no place in a Danish one (not Danish words themselves).
ENGLISH = {
    "is", "not", "the", "of", "a", "an", "unknown", "does", "exist", "give", "one", "must", "should",
    "nurse", "doctor", "admin", "settings", "setting", "error", "sign", "signed", "roles", "role",
    "may", "first", "date", "site", "file", "folder", "details", "internal", "known", "cannot",
    "read", "use", "or", "with", "in", "such", "directory", "expected", "found", "no", "permission",
}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = f"sqlite:///{tmp_path_factory.mktemp('errors') / 'demo.db'}"
    assert main(["demo", "--no-open", "--db", db, "--now", NOW]) == 0
    return db


def _english_words(message: str, allowed: tuple[str, ...] = ()) -> list[str]:
    # The values a message names (quoted, paths, options, codes the user types) are not its words.
    text = re.sub(r"'[^']*'|\S*/\S*|--[\w-]+|\b[A-Z_]{2,}\b", " ", message)
    for value in allowed:
        text = re.sub(rf"\b{re.escape(value)}\b", " ", text)
    return sorted({w for w in re.findall(r"[A-Za-zÆØÅæøå]+", text) if w.lower() in ENGLISH})


def _error_of(capsys: pytest.CaptureFixture[str], argv: list[str], code: int) -> str:
    result: str | int | None  # SystemExit's code is typed as any of these
    try:
        result = main(argv)
    except SystemExit as exit_:  # argparse's usage errors
        result = exit_.code
    captured = capsys.readouterr()
    assert result == code, captured.err
    lines = [line for line in captured.err.splitlines() if line.startswith("skranke:")]
    assert lines, captured.err
    assert "Traceback" not in captured.err
    return "\n".join(lines)


def _case(
    argv: list[str],
    code: int,
    danish: str,
    *,
    env: dict[str, str] | None = None,
    allowed: tuple[str, ...] = (),
    name: str | None = None,
) -> ParameterSet:
    return pytest.param(argv, code, danish, env or {}, allowed, id=name or " ".join(argv[:2]))


CASES = [
    _case(["hours", "--now", "igår"], 2, "'igår' er ikke en ISO-dato", name="now"),
    _case(["hours", "--site", "aarhus"], 2, "ukendt sted 'aarhus': brug et af assens", name="site id"),
    _case(["hours", "--site", "/ingen/steder/sted.toml"], 2, "findes ikke", name="site file"),
    _case(["hours", "--date", "2026-13-01"], 2, "er ikke en dato", name="date"),
    _case(["queue", "--service", "nope", "{db}"], 2, "--service 'nope' er ikke en afdeling", name="service"),
    _case(["check-in", "B0001", "--department", "aarhus", "{db}"], 2, "brug en af heroinklinikken", name="department"),
    _case(["staff", "list", "{db}"], 4, "Log ind med --staff", name="not signed in"),
    _case(
        ["staff", "list", "{db}"],
        4,
        "(roller: reception)",
        env={"SKRANKE_STAFF": "KJ", "SKRANKE_PIN": "1111"},
        name="reception may not",
    ),
    _case(
        ["audit", "{db}"],
        4,
        "(roller: sygeplejerske)",
        env={"SKRANKE_STAFF": "MN", "SKRANKE_PIN": "2222"},
        name="nurse may not",
    ),
    _case(
        ["release", "O1", "--reason", "x", "{db}"],
        4,
        "må ikke",
        env={"SKRANKE_STAFF": "KJ", "SKRANKE_PIN": "1111"},
        name="reception may not release",
    ),
    _case(["audit", "{db}"], 4, "PIN", env={"SKRANKE_STAFF": "AH", "SKRANKE_PIN": "9999"}, name="wrong PIN"),
    _case(
        ["staff", "add", "XY", "--name", "Xe Yu", "--roles", "chef", "{db}"],
        1,
        "nurse (sygeplejerske)",
        env={"SKRANKE_STAFF": "AH", "SKRANKE_PIN": "4444", "SKRANKE_NEW_PIN": "5555"},
        allowed=("chef", "reception", "nurse", "doctor", "admin"),
        name="unknown role",
    ),
    _case(["release", "O1", "--reason", "x", "--dose-mg", "abc", "{db}"], 2, "er ikke et antal mg", name="mg"),
    _case(["sync", "/ingen/mappe", "{db}"], 2, "er hverken en fil eller en mappe", name="sync path"),
    _case(["intake", "/ingen/svar.json", "--dry-run", "{db}"], 1, "kan ikke læses: den findes ikke", name="intake"),
    _case(["demo", "--no-open", "{db}"], 2, "indeholder allerede borgere", name="demo"),
    _case(
        ["hours"],
        2,
        "ukendte indstillinger",
        env={"SKRANKE_CONFIG": "{config}"},
        allowed=SETTING_NAMES,
        name="config file",
    ),
    _case(["hours"], 2, "skal være 'da' eller 'en'", env={"SKRANKE_LANGUAGE": "fr"}, name="language"),
]


@pytest.mark.parametrize(("argv", "code", "danish", "env", "allowed"), CASES)
def test_each_error_is_one_danish_sentence(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    store: str,
    argv: list[str],
    code: int,
    danish: str,
    env: dict[str, str],
    allowed: tuple[str, ...],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('database = "x"\n', encoding="utf-8")
    for variable, value in env.items():
        monkeypatch.setenv(variable, value.format(config=config))
    argv = [part for word in argv for part in (["--db", store] if word == "{db}" else [word])]
    message = _error_of(capsys, argv if "--now" in argv else [*argv, "--now", NOW], code)
    assert danish in message
    assert _english_words(message, allowed) == [], message


def test_an_internal_error_is_said_in_danish(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken(skranke: Skranke, args: argparse.Namespace) -> None:
        raise RuntimeError("x")

    monkeypatch.setitem(COMMANDS, "hours", broken)
    message = _error_of(capsys, ["hours", "--now", NOW], 3)
    assert "intern fejl (RuntimeError: x); detaljer i" in message
    assert _english_words(message) == [], message


def test_the_same_errors_in_english_with_language_en(capsys: pytest.CaptureFixture[str], store: str) -> None:
    message = _error_of(capsys, ["hours", "--language", "en", "--now", "igår"], 2)
    assert "--now 'igår' is not an ISO date or date-time" in message
    message = _error_of(capsys, ["queue", "--language", "en", "--db", store, "--service", "nope", "--now", NOW], 2)
    assert "--service 'nope' is not a department or service of" in message


def test_the_english_word_list_catches_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert _english_words("skranke: unknown site 'aarhus': give one of assens") == [
        "give",
        "of",
        "one",
        "site",
        "unknown",
    ]
    assert _english_words("skranke: KJ may not read the audit log (roles: nurse)") == [
        "may", "not", "nurse", "read", "roles", "the",
    ]  # fmt: skip
    assert Path(__file__).name.startswith("test_")
