"""A site file is validated once and then read from the cache, until the file changes.

Each process below is a fresh interpreter, as a start of the desk or a command is: the cache
lives in SKRANKE_CACHE_DIR (conftest points it at a folder of the test run's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skranke.cache import CACHE_VARIABLE
from skranke.cli import main

SITE = """id = "testsite"
name = "{name}"
municipality = "Testkommune"

[[departments]]
id = "raadgivning"
name = "Rådgivning"
hours = "Mo-Fr 08:00-16:00; PH off"
"""

# Loads the site in a new interpreter; says what it found and whether pydantic was needed.
LOAD = """
import json, sys
from skranke.sites import load_site
site = load_site(sys.argv[1])
print(json.dumps({"name": site.name, "departments": [d.id for d in site.all_departments()],
                  "pydantic": "pydantic" in sys.modules}))
"""


def _load_in_new_process(path: Path, cache: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", LOAD, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, CACHE_VARIABLE: str(cache)},
        check=True,
    )
    loaded: dict[str, Any] = json.loads(result.stdout)  # the site file as JSON
    return loaded


def _write(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    # A new modification time even on a file system whose clock ticks coarsely.
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_a_validated_site_is_read_from_the_cache_without_pydantic(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "testsite.toml"
    _write(path, SITE.format(name="Testcenter"))
    first = _load_in_new_process(path, cache)
    assert first == {"name": "Testcenter", "departments": ["raadgivning"], "pydantic": True}
    assert _load_in_new_process(path, cache) == {**first, "pydantic": False}


def test_a_changed_site_file_is_validated_anew(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "testsite.toml"
    _write(path, SITE.format(name="Testcenter"))
    _load_in_new_process(path, cache)
    _write(path, SITE.format(name="Testcenter Nord"))
    changed = _load_in_new_process(path, cache)
    assert changed == {"name": "Testcenter Nord", "departments": ["raadgivning"], "pydantic": True}
    assert _load_in_new_process(path, cache)["pydantic"] is False  # and cached again


def test_a_site_file_broken_after_it_was_cached_is_refused_with_its_error(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, str(cache))
    path = tmp_path / "testsite.toml"
    _write(path, SITE.format(name="Testcenter"))
    assert main(["hours", "--site", str(path), "--json"]) == 0
    _write(path, SITE.format(name="Testcenter").replace('"Mo-Fr 08:00-16:00; PH off"', '"Mo-Fr 08:00-1x:00"'))
    for _attempt in range(2):  # refused every time: a file that does not validate is never cached
        capsys.readouterr()
        assert main(["hours", "--site", str(path), "--json"]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and "'raadgivning'" in err and "line 1, column 13" in err
    _write(path, SITE.format(name="Testcenter").replace('name = "Testcenter"', "name = 7"))
    assert main(["hours", "--site", str(path), "--json"]) == 2
    assert "name: Input should be a valid string" in capsys.readouterr().err


def test_a_cache_entry_that_cannot_be_read_is_not_used(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "testsite.toml"
    _write(path, SITE.format(name="Testcenter"))
    _load_in_new_process(path, cache)
    (entry,) = (cache / "sites").iterdir()
    entry.write_bytes(entry.read_bytes()[:40])  # cut short, as by a full disk
    assert _load_in_new_process(path, cache) == {
        "name": "Testcenter",
        "departments": ["raadgivning"],
        "pydantic": True,
    }
    assert _load_in_new_process(path, cache)["pydantic"] is False  # written whole again


def test_a_cache_folder_that_cannot_be_written_only_costs_the_validation(tmp_path: Path) -> None:
    path = tmp_path / "testsite.toml"
    _write(path, SITE.format(name="Testcenter"))
    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("", encoding="utf-8")
    for _attempt in range(2):
        assert _load_in_new_process(path, not_a_folder)["pydantic"] is True
