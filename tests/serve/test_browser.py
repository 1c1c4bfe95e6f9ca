"""The window in a real headless Chromium (issue 29): the page served over TLS with a certificate
made here, the terminal focused, the nurse signed in and a dose given with the birth date, by
keys typed into the page; then the dose and its audit event (workstation: the browser session)
in the store. The terminal draws on a canvas, so what happened is read from the store; the
screenshot is kept beside the test's other files (its tmp_path) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ViewportSize, sync_playwright

from skranke.services.audit import AuditEntry, audit_events
from skranke.services.context import Skranke
from skranke.services.dispensing import birth_date_digits
from skranke.services.queue import queue
from skranke.services.staff import sign_in
from skranke.store.models import Dispensing
from tests.serve.conftest import Serve, chromium, make_certificate, wait_until
from tests.ui.test_queue_screen import busy

pytestmark = pytest.mark.browser
TABLET: ViewportSize = {"width": 1024, "height": 768}


def web_events(store: Skranke, action: str, staff: str) -> list[AuditEntry]:
    admin = sign_in(store, "AH", "4444")
    return [
        e
        for e in audit_events(store, admin)
        if e.action == action and e.staff == staff and e.workstation.startswith("web-")
    ]


def test_the_nurse_gives_a_dose_in_the_browser(serve: Serve, store: Skranke, tmp_path: Path) -> None:
    browser_path = chromium()
    busy(store)  # the demo's morning: citizens waiting at the window, the demo staff (MN/2222)
    first = queue(store).waiting[0]  # the highlighted row when the queue opens
    assert first.person.birth_date is not None
    [order] = first.prescription_ids[:1]
    cert, key = make_certificate(tmp_path)
    served = serve("--cert", str(cert), "--key", str(key))
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            page = browser.new_context(viewport=TABLET, ignore_https_errors=True).new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(served.url + "/")
            page.wait_for_selector("body.-first-byte")  # the app has drawn its first screen
            page.focus(".xterm-helper-textarea")
            page.keyboard.type("m")  # Medicin asks for a sign-in
            page.keyboard.type("MN")
            page.keyboard.press("Enter")
            page.keyboard.type("2222")
            page.keyboard.press("Enter")
            [signed_in] = wait_until(lambda: web_events(store, "sign_in", "MN"), "MN signed in from the browser")
            wait_until(lambda: web_events(store, "list_queue", "MN"), "the queue read in the browser")
            page.keyboard.press("Enter")  # the highlighted citizen's dose
            page.keyboard.type(birth_date_digits(first.person.birth_date))
            page.keyboard.press("Enter")
            [dose] = wait_until(lambda: given(store, order, signed_in.workstation), "the dose recorded")
            [event] = wait_until(
                lambda: [e for e in web_events(store, "dispense", "MN") if e.entity_id == str(dose.id)], "its audit"
            )
            # The dose dialog as the browser shows it, the birth date typed (the canvas may lag the store).
            page.screenshot(path=tmp_path / "window-dose-1024x768.png")
        finally:
            browser.close()
    assert (dose.outcome, dose.staff_id) == ("given", "MN")
    # The browser session names the workstation, the same for every act of the tab.
    assert event.workstation == signed_in.workstation
    assert served.line(r"session (web-\S+) åbnet").group(1) == event.workstation
    # Nothing was asked of any other machine: the page, its script and its font are the server's.
    assert requests and all(url.startswith(served.url + "/") for url in requests), requests
    assert any(url.endswith("/fonts/DejaVuSansMono.ttf") for url in requests)
    assert (tmp_path / "window-dose-1024x768.png").stat().st_size > 10_000


def given(store: Skranke, order: str, workstation: str) -> list[Dispensing]:
    """The doses of `order` MN gave at `workstation` (the demo's morning gave others before)."""
    with store.database.reading() as session:
        return list(session.query(Dispensing).filter_by(prescription_id=order, staff_id="MN", workstation=workstation))
