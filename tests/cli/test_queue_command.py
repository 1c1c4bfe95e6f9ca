"""`skranke queue` in words: the window's day in Danish, the codes only in --json."""

from __future__ import annotations

import json

from skranke.cli import main


def test_the_queue_is_worded_in_danish_and_coded_in_json(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("SKRANKE_STAFF", "MN")
    monkeypatch.setenv("SKRANKE_PIN", "2222")
    now = "2026-11-23T09:30"
    assert main(["demo", "--no-open", "--now", now]) == 0
    capsys.readouterr()
    db = f"sqlite:///{tmp_path}/skranke/demo/skranke-demo.db"

    assert main(["queue", "--db", db, "--now", now]) == 0
    text = capsys.readouterr().out
    assert "Færdig (4)" in text and "afvist" in text and "givet" in text and "klar" in text
    assert "borgeren afslog: vil komme i eftermiddag" in text
    for code in ("given", "refused", "declined", " due ", "metadon "):
        assert code not in text, code

    assert main(["queue", "--json", "--db", db, "--now", now]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {row["outcome"] for row in document["done"]} == {"given", "refused"}
