"""ASGI middleware of the report API: security headers on every answer, HEAD on every GET route.

`SECURITY_HEADERS` is the one copy of the policy: the nginx template in deploy/ sends the same
values for what it serves itself (tests/deploy checks both against this dict). The built page
loads only its own script and style files; 'unsafe-inline' styles are allowed because ReDoc
(styled-components) writes `<style>` elements. No inline script runs anywhere, /docs included.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeadersMiddleware:
    """Adds `SECURITY_HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGetMiddleware:
    """Answers HEAD like GET without the body, on every GET route (FastAPI's routes take GET
    only). A route that has no GET answers HEAD as it answers GET (405, 404)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def host_header_problem(scope: Scope) -> str | None:
    """Why the request's `Host` header cannot be a host name (`[::1`, `[zz]`, `a]`), else None.

    Starlette parses the header into `request.url` with `urlsplit`, which raises on a broken
    IPv6 literal; answered here, that is a 400 instead of a 500 from deep inside a route.
    """
    for name, value in scope.get("headers", ()):
        if name != b"host":
            continue
        host = value.decode("latin-1")
        try:
            parts = urlsplit(f"//{host}")
            _ = parts.hostname, parts.port
        except ValueError:
            return f"malformed Host header {host[:100]!r}"
        if any(ch.isspace() or ch in "/?#@\\" for ch in host):
            return f"malformed Host header {host[:100]!r}"
    return None


class BadHostMiddleware:
    """Answers 400 in one line of JSON to a request whose `Host` header is not a host[:port]."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = host_header_problem(scope) if scope["type"] == "http" else None
        if problem is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": problem}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
        ]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})
