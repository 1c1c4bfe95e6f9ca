"""The web server of `skranke serve`: one skranke process per WebSocket, and the page that opens it.

textual-serve's own `Server` is not used: it has no TLS, no Origin check and no limit, and its
page loads a Google font. Its `AppService` is (it speaks the process's side of Textual's web
driver), started with an argument list instead of a shell line and with the tab's workstation
name in the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import signal
import socket
import ssl
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from skranke.i18n import _

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HERE = Path(__file__).parent
# xterm.js and the page script of textual-serve (the package's own files, served as they are).
TEXTUAL_SERVE_STATIC = Path(textual_serve.__file__).parent / "static"
LOOPBACK_NAMES = ("localhost",)
# A stopped tab's process gets this long to quit on its own before it is killed.
QUIT_GRACE_SECONDS = 5.0
# The page's rules: nothing from anywhere but this server; no framing (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# Environment a tab's process must not inherit: each tab signs in by itself.
NOT_INHERITED = ("SKRANKE_STAFF", "SKRANKE_PIN", "SKRANKE_NEW_PIN", "SKRANKE_WORKSTATION")


def is_loopback(host: str) -> bool:
    """`host` (a name or an address, as --host or a Host header gives it) is this machine only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_allowed(origin: str | None, host_header: str, tls: bool) -> bool:
    """A WebSocket may open only from this server's own page: the Origin the browser sends must
    be the scheme and Host the page was served under. Without TLS the server listens on
    127.0.0.1 alone, and the Host must be a loopback name too: a foreign site whose name is
    made to point at 127.0.0.1 (DNS rebinding) is refused by its Host. With TLS the certificate
    does that: the browser will not open a page of another name over it."""
    if not origin:
        return False
    scheme = "https" if tls else "http"
    if origin.lower() != f"{scheme}://{host_header}".lower():
        return False
    return tls or is_loopback(urlsplit(f"//{host_header}").hostname or "")


def workstation_name(session_id: str) -> str:
    """The audit log's workstation for a browser tab: served from this host, this session."""
    return f"web-{socket.gethostname()}-{session_id}"[:100]  # the audit column holds 100


@dataclass
class Session:
    id: str
    workstation: str
    websocket: web.WebSocketResponse
    peer: str
    last_activity: float
    ended_by: str = "closed"
    done: asyncio.Event = field(default_factory=asyncio.Event)


class TabProcess(AppService):
    """textual-serve's AppService, with the process started from an argument list (no shell)
    and an environment of the tab's own."""

    def __init__(self, argv: Sequence[str], environment: dict[str, str], **options: object) -> None:
        super().__init__(" ".join(argv), **options)  # type: ignore[arg-type]
        self._argv = list(argv)
        self._own_environment = environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        environment = {**self._build_environment(width=width, height=height), **self._own_environment}
        for name in NOT_INHERITED:
            if name not in self._own_environment:
                environment.pop(name, None)
        self._process = process = await asyncio.create_subprocess_exec(
            *self._argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def end(self) -> int | None:
        """Ask the app to quit (textual-serve's way), then make sure the process has ended."""
        await self.stop()
        process = self._process
        if process is None:
            return None
        try:
            return await asyncio.wait_for(process.wait(), QUIT_GRACE_SECONDS)
        except TimeoutError:
            process.kill()
            return await process.wait()


class SkrankeServer:
    """Serves the application to browsers: `run` until SIGINT or SIGTERM."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
        max_sessions: int,
        idle_seconds: float,
        title: str,
    ) -> None:
        self.argv = list(argv)
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.max_sessions = max_sessions
        self.idle_seconds = idle_seconds
        self.title = title
        self.sessions: dict[str, Session] = {}
        self.download_manager = DownloadManager()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
        )

    @property
    def tls(self) -> bool:
        return self.ssl_context is not None

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers])
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/favicon.ico", _no_icon),
                web.static("/static", TEXTUAL_SERVE_STATIC),
                web.static("/skranke", HERE / "static"),
                web.static("/fonts", HERE / "fonts"),
            ]
        )
        return app

    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    def _page(self, template: str, status: int = 200, **context: object) -> web.Response:
        html = self.templates.get_template(template).render(title=self.title, **context)
        return web.Response(text=html, content_type="text/html", status=status)

    def _full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def _full_page(self) -> web.Response:
        return self._page(
            "full.html",
            status=503,
            heading=_("All browser sessions are in use"),
            text=_(
                "This counter allows {count} browser sessions at once, and all are open. Close skranke in "
                "another tab or on another tablet, then try again."
            ).format(count=self.max_sessions),
            again=_("Try again"),
        )

    async def handle_index(self, request: web.Request) -> web.Response:
        if self._full():
            return self._full_page()
        scheme = "wss" if self.tls else "ws"
        return self._page(
            "index.html",
            websocket_url=f"{scheme}://{request.host}/ws",
            font_size=_font_size(request.query.get("fontsize", "16")),
            starting=_("Starting skranke …"),
            ended=_("The session has ended (closed, or idle too long)."),
            restart=_("Start again"),
        )

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if not origin_allowed(request.headers.get("Origin"), request.host, self.tls):
            self._log(
                _("refused a WebSocket from origin {origin} ({peer})").format(
                    origin=request.headers.get("Origin"), peer=request.remote
                )
            )
            raise web.HTTPForbidden(text=_("This page may only be opened from skranke's own address."))
        if self._full():
            self._log(
                _("refused a session: all {count} are in use ({peer})").format(
                    count=self.max_sessions, peer=request.remote
                )
            )
            return self._full_page()
        width = _number(request.query.get("width", "80"), 80)
        height = _number(request.query.get("height", "24"), 24)
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        session_id = uuid.uuid4().hex[:12]
        loop = asyncio.get_running_loop()
        session = Session(session_id, workstation_name(session_id), websocket, request.remote or "?", loop.time())
        self.sessions[session_id] = session
        tab = TabProcess(
            self.argv,
            {"SKRANKE_WORKSTATION": session.workstation},
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        watcher = asyncio.create_task(self._close_when_idle(session))
        try:
            await tab.start(width, height)
            self._log(
                _("session {session} opened from {peer} (process {pid})").format(
                    session=session.workstation, peer=session.peer, pid=tab.pid
                )
            )
            await self._relay(session, tab)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            code = await tab.end()
            del self.sessions[session_id]
            self._log(
                _("session {session} ended ({why}); its process exited with {code}").format(
                    session=session.workstation, why=session.ended_by, code=code
                )
            )
            await websocket.close()
            session.done.set()
        return websocket

    async def _relay(self, session: Session, tab: TabProcess) -> None:
        """The browser's messages to the process (textual-serve's protocol). Keys and the mouse
        (both arrive as `stdin`) count as activity; a resize or a ping does not."""
        loop = asyncio.get_running_loop()
        async for message in session.websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            if kind == "stdin" and len(envelope) > 1 and isinstance(envelope[1], str):
                session.last_activity = loop.time()
                await tab.send_bytes(envelope[1].encode("utf-8"))
            elif kind == "resize" and len(envelope) > 1 and isinstance(envelope[1], dict):
                size = envelope[1]
                await tab.set_terminal_size(_number(str(size.get("width")), 80), _number(str(size.get("height")), 24))
            elif kind == "ping" and len(envelope) > 1:
                await session.websocket.send_json(["pong", envelope[1]])
            elif kind == "blur":
                await tab.blur()
            elif kind == "focus":
                await tab.focus()

    async def _close_when_idle(self, session: Session) -> None:
        """A tab without a key or a click for `idle_seconds` is closed, and so its process ends."""
        loop = asyncio.get_running_loop()
        while (left := session.last_activity + self.idle_seconds - loop.time()) > 0:
            await asyncio.sleep(left)
        session.ended_by = "idle"
        await session.websocket.close(message=b"idle")

    async def run(self) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl_context)
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C ends the loop itself
                loop.add_signal_handler(number, stop.set)
        scheme = "https" if self.tls else "http"
        for address in runner.addresses:
            host, port = address[0], address[1]
            shown = f"[{host}]" if ":" in host else host
            self._log(
                _("serving {title} on {url} (Ctrl+C stops)").format(title=self.title, url=f"{scheme}://{shown}:{port}")
            )
        try:
            await stop.wait()
        finally:
            sessions = list(self.sessions.values())
            for session in sessions:
                session.ended_by = "server stopped"
                await session.websocket.close(message=b"stopped")
            for session in sessions:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(session.done.wait(), QUIT_GRACE_SECONDS * 2)
            await runner.cleanup()

    @staticmethod
    def _log(line: str) -> None:
        # One line a happening on stdout, flushed: a service manager's log (and the tests) read it.
        print(f"skranke serve: {line}", flush=True)


async def _no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)  # browsers ask for one; a 404 would fill their console


def _number(text: str, default: int) -> int:
    try:
        return max(1, min(int(text), 1000))
    except ValueError:
        return default


def _font_size(text: str) -> int:
    return max(8, min(_number(text, 16), 48))


def ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context of TLS 1.2 or newer with the clinic's certificate and key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=os.fspath(cert), keyfile=os.fspath(key))
    return context
