"""FastAPI dependencies as named `Annotated` aliases, and who may write (baseline, refresh).

A write must pass three checks, in this order:
1. the `Host` header names this API (`HEALTHPREDICT_ALLOWED_HOSTS`): a DNS-rebinding page cannot
   pose as it;
2. a browser's `Origin` (or, without one, `Referer`) is this API's own origin or one of
   `HEALTHPREDICT_CORS_ORIGINS`: a page elsewhere cannot send a simple cross-site POST;
3. the bearer token when `HEALTHPREDICT_API_TOKEN` is set, else a loopback client address (as
   uvicorn reports it: behind a proxy, only `FORWARDED_ALLOW_IPS` decides whose
   `X-Forwarded-For` counts, see README).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, status

from backend.service import ReportService
from backend.settings import Settings

DEFAULT_PORTS = {"http": 80, "https": 443}


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_report(request: Request) -> ReportService:
    service: ReportService = request.app.state.report
    return service


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReportDep = Annotated[ReportService, Depends(get_report)]


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8 and ::1 (also IPv4-mapped); names (e.g. a test client's) are not loopback."""
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, default port dropped, lower case; None if it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


def host_allowed(host_header: str, allowed: list[str]) -> bool:
    """Whether the `Host` header names one of `allowed` (`*` any, `*.example.org` subdomains)."""
    hostname = urlsplit(f"//{host_header.strip()}").hostname if host_header.strip() else None
    if not hostname:
        return False
    for pattern in allowed:
        if pattern == "*" or hostname == pattern:
            return True
        if pattern.startswith("*.") and hostname.endswith(pattern[1:]):
            return True
    return False


def cross_site_refusal(request: Request, settings: Settings) -> str | None:
    """Why a write is refused as cross-site (wrong Host, foreign Origin/Referer), else None."""
    host = request.headers.get("host", "")
    if not host_allowed(host, settings.allowed_hosts):
        return f"writes are not accepted for host {host!r}: add it to HEALTHPREDICT_ALLOWED_HOSTS"
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if claimed is None:
        return None  # not sent by a browser page (curl, scripts): the checks below decide
    own = _origin(f"{request.url.scheme}://{host}")
    allowed = {own, *(_origin(origin) for origin in settings.cors_origins if origin != "*")}
    if _origin(claimed) not in allowed - {None}:
        return (
            f"cross-site write refused: {claimed!r} is neither this API's origin nor one of "
            "HEALTHPREDICT_CORS_ORIGINS"
        )
    return None


def write_permission(request: Request, settings: Settings) -> tuple[int, str] | None:
    """None when the client may write (baseline, refresh), else the status and reason it may not.

    With `HEALTHPREDICT_API_TOKEN` set, the bearer token decides (constant-time compare);
    without one, only clients on this machine may write to the store.
    """
    cross_site = cross_site_refusal(request, settings)
    if cross_site is not None:
        return status.HTTP_403_FORBIDDEN, cross_site
    if settings.api_token is not None:
        given = _bearer_token(request)
        expected = settings.api_token.get_secret_value()
        if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
            return status.HTTP_401_UNAUTHORIZED, "a valid bearer token is required"
        return None
    host = request.client.host if request.client else None
    if not is_loopback(host):
        return (
            status.HTTP_403_FORBIDDEN,
            "writes (baseline capture, refresh) are only allowed from this machine "
            "unless HEALTHPREDICT_API_TOKEN is set",
        )
    return None


def require_write_permission(request: Request, settings: SettingsDep) -> None:
    refusal = write_permission(request, settings)
    if refusal is not None:
        code, reason = refusal
        headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
        raise HTTPException(status_code=code, detail=reason, headers=headers)
