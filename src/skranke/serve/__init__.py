"""The window in a browser: `skranke serve` (DESIGN §4 "The browser at the window").

Each browser tab runs `skranke` in a process of its own, drawn in the page by xterm.js
(textual-serve's AppService and its page script). What textual-serve leaves out is added here:
TLS (or 127.0.0.1 only), an Origin check on the WebSocket, a page of skranke's own that loads
nothing from the internet (the font is shipped), a limit on sessions, and an end to the process
of a tab closed or left idle. Imported only by `skranke serve`: aiohttp is no part of the
application's start-up.
"""
