"""What `skranke serve` refuses (issue 29): a non-local address without TLS, a WebSocket from
another site, a tab over the site's limit; and what it ends: the process of a tab closed or
left idle. The real command, over TLS with a certificate made here; the WebSocket as a browser
opens it (its Origin header), with aiohttp."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from skranke.cli import EXIT_USAGE
from skranke.serve.server import origin_allowed
from skranke.services.context import Skranke
from tests.serve.conftest import STARTED_WITHIN, Serve, Served, make_certificate, wait_until

OPENED = r"session (web-\S+) åbnet fra \S+ \(proces (\d+)\)"


def no_verify() -> ssl.SSLContext:
    """The test's own self-signed certificate: the client does not check it."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def connect(client: aiohttp.ClientSession, served: Served, origin: str) -> aiohttp.ClientWebSocketResponse:
    scheme = "wss" if served.url.startswith("https") else "ws"
    return await client.ws_connect(f"{scheme}://{served.host}/ws", headers={"Origin": origin}, ssl=no_verify())


def test_a_non_local_host_without_tls_exits_2_saying_why(store: Skranke) -> None:
    assert store.settings.db is not None
    done = subprocess.run(
        [sys.executable, "-m", "skranke", "--db", store.settings.db, "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=STARTED_WITHIN,
    )
    assert done.returncode == EXIT_USAGE
    assert "--host 0.0.0.0 uden --cert og --key" in done.stderr
    assert "ukrypteret" in done.stderr
    assert done.stdout == ""  # it never listened


@pytest.mark.parametrize(
    ("origin", "host", "tls", "allowed"),
    [
        ("https://skranke.klinik.local:8443", "skranke.klinik.local:8443", True, True),
        ("https://evil.example", "skranke.klinik.local:8443", True, False),
        ("http://skranke.klinik.local:8443", "skranke.klinik.local:8443", True, False),  # not over TLS
        (None, "skranke.klinik.local:8443", True, False),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", False, True),
        ("http://localhost:8000", "localhost:8000", False, True),
        # A foreign name pointed at 127.0.0.1 (DNS rebinding): same origin, but not a local name.
        ("http://evil.example:8000", "evil.example:8000", False, False),
    ],
)
def test_the_origin_check(origin: str | None, host: str, tls: bool, allowed: bool) -> None:
    assert origin_allowed(origin, host, tls) is allowed


async def test_a_websocket_from_another_site_is_refused(serve: Serve, tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    served = serve("--cert", str(cert), "--key", str(key))
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await connect(client, served, "https://evil.example")
        assert refused.value.status == 403
        assert served.children() == []  # no process for it
        served.line(r"afviste en WebSocket fra oprindelsen https://evil.example")
        # The page's own origin opens a tab (the refusal is the Origin's, not any WebSocket's).
        websocket = await connect(client, served, served.url)
        served.line(OPENED)
        await websocket.close()


async def test_the_session_limit_then_a_closed_tab_ends_its_process(serve: Serve, tmp_path: Path) -> None:
    site = tmp_path / "one-tab.toml"
    odense = Path(__file__).parents[2] / "data" / "sites" / "odense.toml"
    site.write_text(odense.read_text(encoding="utf-8").replace("max_sessions = 4", "max_sessions = 1"), "utf-8")
    cert, key = make_certificate(tmp_path)
    served = serve("--cert", str(cert), "--key", str(key), site=str(site))
    async with aiohttp.ClientSession() as client:
        first = await connect(client, served, served.url)
        tab = int(served.line(OPENED).group(2))
        assert served.children() == [tab]
        async with client.get(served.url + "/", ssl=no_verify()) as page:
            assert page.status == 503
            text = await page.text()
        assert "Alle browsersessioner er i brug" in text
        assert "tillader 1 browsersessioner" in text
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await connect(client, served, served.url)
        assert refused.value.status == 503
        assert served.children() == [tab]
        await first.close()  # the tab is closed
        served.line(r"session web-\S+ slut \(closed\)")
        wait_until(lambda: served.children() == [], "the closed tab's process ended")
        async with client.get(served.url + "/", ssl=no_verify()) as page:
            assert page.status == 200  # its place is free again


async def test_an_idle_tab_is_closed_and_its_process_ends(serve: Serve, tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    served = serve("--cert", str(cert), "--key", str(key), "--idle-minutes", "0.05")  # 3 s
    async with aiohttp.ClientSession() as client:
        websocket = await connect(client, served, served.url)
        tab = int(served.line(OPENED).group(2))
        assert served.children() == [tab]
        async with asyncio.timeout(STARTED_WITHIN):
            async for _message in websocket:  # the app's screen, until the server closes the tab
                pass
        assert websocket.close_code is not None
        served.line(r"session web-\S+ slut \(idle\); dens proces sluttede med")
        assert served.children() == []
