"""`skranke serve`: the application in a browser, a skranke process per tab (DESIGN §4 "The browser
at the window"). The server (and aiohttp with it) is imported only when this command runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skranke.cli.errors import EXIT_OK
from skranke.cli.parser import Commands
from skranke.i18n import _
from skranke.services.context import Skranke, UsageError

DEFAULT_PORT = 8000


def add_parsers(commands: Commands) -> None:
    serve = commands.add(
        "serve",
        help=_("the application in a browser (a tablet at the window): one skranke per tab"),
        description=_(
            "Serves the application to browsers: each tab runs skranke with the same --db, --site, --now and "
            "--language, with the same sign-in, idle lock and audit log (the workstation names the browser "
            "session). Listens on 127.0.0.1 only, unless given a certificate and key (TLS)."
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar=_("HOST"),
        help=_("the address to listen on (default 127.0.0.1; any other needs --cert and --key)"),
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar=_("PORT"), help=_("the port (default 8000; 0: a free one)")
    )
    serve.add_argument("--cert", type=Path, metavar=_("FILE"), help=_("the TLS certificate (PEM, with its chain)"))
    serve.add_argument("--key", type=Path, metavar=_("FILE"), help=_("the certificate's private key (PEM)"))
    serve.add_argument(
        "--idle-minutes",
        type=float,
        metavar=_("MINUTES"),
        help=_("close a tab idle this long, ending its process (default: the site's serve.close_idle_minutes)"),
    )


def run_serve(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.serve.server import SkrankeServer, is_loopback, ssl_context
    from skranke.services.health import check_database

    tls = _tls(args.cert, args.key)
    if tls is None and not is_loopback(args.host):
        raise UsageError(
            _(
                "--host {host} without --cert and --key: health data would cross the network unencrypted. "
                "Give the clinic's certificate and key, or serve on 127.0.0.1."
            ).format(host=args.host)
        )
    context = None
    if tls is not None:
        import ssl

        try:
            context = ssl_context(*tls)
        except (OSError, ssl.SSLError) as error:
            raise UsageError(
                _("--cert {cert} / --key {key} cannot be used: {reason}").format(cert=tls[0], key=tls[1], reason=error)
            ) from None
    if args.idle_minutes is not None and args.idle_minutes <= 0:
        raise UsageError(_("--idle-minutes must be more than 0"))
    check_database(skranke)  # a mistyped --db is said once, here, not in every tab
    serve = skranke.site.serve
    idle_minutes = args.idle_minutes if args.idle_minutes is not None else serve.close_idle_minutes
    server = SkrankeServer(
        _tab_command(skranke),
        host=args.host,
        port=args.port,
        ssl_context=context,
        max_sessions=serve.max_sessions,
        idle_seconds=idle_minutes * 60,
        title=f"skranke · {skranke.site.name}",
    )
    import asyncio

    asyncio.run(server.run())
    return EXIT_OK


def _tls(cert: Path | None, key: Path | None) -> tuple[Path, Path] | None:
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise UsageError(_("--cert and --key go together: give both, or neither"))
    return cert, key


def _tab_command(skranke: Skranke) -> list[str]:
    """Each tab's process: this skranke, with the settings this server was started with."""
    settings = skranke.settings
    command = [sys.executable, "-m", "skranke", "--site", settings.site, "--language", settings.language]
    if settings.db is not None:
        command += ["--db", settings.db]
    if settings.now is not None:
        command += ["--now", settings.now]
    if settings.key_file is not None:
        command += ["--key-file", str(settings.key_file)]
    return command


HANDLERS = {"serve": run_serve}
