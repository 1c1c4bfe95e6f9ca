"""At --language da nothing the user reads is English: every screen, the help, the footer,
the command palette and Textual's own words. The same collection at --language en finds the
English words (so the test can fail), and Textual's bindings all have a Danish translation."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from textual.binding import Binding
from textual.dom import DOMNode
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from skranke import i18n
from skranke.i18n import LOCALE_DIR
from skranke.services.context import Skranke
from skranke.ui.app import SkrankeApp
from skranke.ui.textual_words import TEXTUAL_CLASSES, translate
from tests.ui.conftest import NARROW_TERMINAL, TERMINAL, AppAt, rounds, settle
from tests.ui.test_deadlines_snapshots import demo, open_deadlines
from tests.ui.test_sync_snapshots import rejected_sync

NOW = "2026-04-09T09:00"

# What Textual shows in English when nobody translates it.
TEXTUAL_ENGLISH = [
    "Focus",
    "Copy",
    "Quit",
    "Search for commands",
    "Search for themes",
    "No matches found",
    "Theme",
    "Screenshot",
    "Keys",
    "Maximize",
    "Minimize",
    "Next",
    "Previous",
    "Scroll",
    "Cursor",
    "Select",
    "palette",
]

_TEXT = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>')
CELL_WIDTH = 12.2  # Textual's SVG: one terminal cell


def visible_text(app: SkrankeApp) -> str:
    """What the terminal shows, line by line, from Textual's own screenshot of it."""
    lines: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for match in _TEXT.finditer(app.export_screenshot()):
        text = html.unescape(match.group(3)).replace("\xa0", " ")
        lines[int(match.group(2))].append((float(match.group(1)), text))
    rendered = []
    for _line, parts in sorted(lines.items()):
        row = ""
        for x, text in sorted(parts):
            row = row.ljust(round(x / CELL_WIDTH)) + text
        rendered.append(row.rstrip())
    return "\n".join(rendered)


def _our_english_msgids() -> list[str]:
    """Our message ids whose Danish differs: their English literal parts must never show."""
    with (LOCALE_DIR / "da" / "LC_MESSAGES" / "skranke.po").open("rb") as handle:
        catalogue = read_po(handle, locale="da")
    found = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        danish = message.string if isinstance(message.string, str) else message.string[0]
        for literal in re.split(r"\{[^{}]*\}|%\(?\w*\)?[sdr]", msgid):
            literal = literal.strip(" .,:·—()-")
            # Short or shared words (ok, §, Status, Start) read the same in both languages.
            if ((len(literal) >= 5 and " " in literal) or len(literal) >= 8) and literal not in danish:
                found.append(literal)
    return found


def english_in(text: str) -> list[str]:
    words = TEXTUAL_ENGLISH + _our_english_msgids()
    # A word, not part of a path (a folder may be called "rejected").
    return sorted({w for w in words if re.search(rf"(?<![\w/]){re.escape(w)}(?![\w/])", text)})


async def _wait(pilot: Pilot[None], done: Callable[[], object] = lambda: True) -> None:
    async for _ in rounds():
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if done():
            return


async def _everything_the_user_reads(app: SkrankeApp, pilot: Pilot[None]) -> dict[str, str]:
    """Each screen and state, as text: the screens, the footer, help, palette, modals."""
    from skranke.ui.screens.citizen import CitizenScreen
    from skranke.ui.screens.error import ErrorScreen

    seen: dict[str, str] = {}

    def footer_and_keys() -> str:
        # The footer's labels and tooltips, and Textual's words for every active key.
        active = app.screen.active_bindings.values()
        return "\n".join(
            f"{translate(a.binding.description)} {translate(a.binding.tooltip)}" for a in active if not a.binding.system
        )

    await settle(pilot)
    seen["I dag"] = visible_text(app)
    await pilot.press("f1")
    await pilot.pause()
    seen["help on I dag"] = visible_text(app)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("ctrl+p")
    await pilot.pause()
    seen["palette"] = visible_text(app)
    seen["system commands"] = "\n".join(f"{c.title} {c.help}" for c in app.get_system_commands(app.screen))
    await pilot.press("x", "y", "z", "q")
    await pilot.pause(0.8)  # the palette says "no matches" after half a second
    seen["palette without matches"] = visible_text(app)
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("f")
    await open_deadlines(pilot)
    for tab in ("tab-requests", "tab-exempt", "tab-follow-ups", "tab-plan-reviews"):
        app.screen.query_one("#deadlines-tabs", TabbedContent).active = tab
        await pilot.pause()
        seen[f"Frister {tab}"] = visible_text(app)
        seen[f"Frister {tab} keys"] = footer_and_keys()
    app.screen.query_one("#deadlines-tabs", TabbedContent).active = "tab-requests"
    app.screen.query_one("#requests").focus()
    await pilot.pause()
    await pilot.press("f1")
    await pilot.pause()
    seen["help on Frister"] = (
        visible_text(app) + "\n" + "\n".join(k + " " + d for k, d in app.help_bindings(app.screen))
    )
    await pilot.press("escape")
    await pilot.pause()
    await pilot.press("enter")
    await _wait(pilot, lambda: isinstance(app.screen, CitizenScreen) and app.screen.loaded)
    seen["citizen card"] = visible_text(app)
    await pilot.press("escape")
    await pilot.press("s")
    await _wait(pilot, lambda: getattr(app.screen, "loaded", False))
    seen["Synkronisering"] = visible_text(app)
    seen["Synkronisering keys"] = footer_and_keys()
    app.push_screen(ErrorScreen(i18n._("Something went wrong"), "…"))
    await pilot.pause()
    seen["error modal"] = visible_text(app)
    return seen


@pytest.mark.parametrize("size", [TERMINAL, NARROW_TERMINAL], ids=["120x36", "80x24"])
async def test_nothing_the_user_reads_is_english(app_at: AppAt, tmp_path: Path, size: tuple[int, int]) -> None:
    def prepare(skranke: Skranke) -> None:
        demo(skranke)
        rejected_sync(skranke)

    app = app_at(NOW, prepare=prepare, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    async with app.run_test(size=size) as pilot:
        seen = await _everything_the_user_reads(app, pilot)
    assert "Søg efter kommandoer" in seen["palette"] and "Intet fundet" in seen["palette without matches"]
    assert seen["citizen card"].count("Esc lukker · c tjek ind") == 1
    assert {where: english_in(text) for where, text in seen.items() if english_in(text)} == {}


async def test_the_same_collection_finds_english_when_the_words_are_english(app_at: AppAt, tmp_path: Path) -> None:
    # Proof that the test above can fail: Textual's words and ours at --language en.
    app = app_at(NOW, prepare=demo, inbox=tmp_path / "inbox", outbox=tmp_path / "outbox")
    i18n.set_language("en")
    async with app.run_test(size=TERMINAL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = visible_text(app)
        commands = "\n".join(f"{c.title} {c.help}" for c in app.get_system_commands(app.screen))
    found = set(english_in(palette + "\n" + commands))
    assert {"Search for commands", "Keys", "Quit", "Screenshot", "Theme"} <= found


def test_the_footer_shows_the_command_palette_once(app_at: AppAt) -> None:
    app = app_at(NOW)
    shown = [b for b in app._bindings.key_to_bindings.get("ctrl+p", []) if isinstance(b, Binding) and b.show]
    assert shown == []  # the footer's right edge shows it (Footer.show_command_palette)


@pytest.mark.parametrize("widget", TEXTUAL_CLASSES, ids=lambda c: c.__name__)
def test_textual_bindings_have_danish_words(widget: type[DOMNode]) -> None:
    bindings = widget._merged_bindings.key_to_bindings.values() if widget._merged_bindings else []
    texts = {t for group in bindings for b in group for t in (b.description, b.tooltip) if t and not b.system}
    untranslated = sorted(t for t in texts if translate(t) == t and t not in ("palette",))
    assert untranslated == []
