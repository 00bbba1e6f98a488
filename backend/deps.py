"""FastAPI dependencies as named `Annotated` aliases, and who may capture a baseline."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from backend.service import ReportService
from backend.settings import Settings

TEST_CLIENT_HOST = "testclient"  # Starlette's TestClient default client host


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_report(request: Request) -> ReportService:
    service: ReportService = request.app.state.report
    return service


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReportDep = Annotated[ReportService, Depends(get_report)]


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) and the TestClient's placeholder host."""
    if host is None:
        return False
    if host == TEST_CLIENT_HOST:
        return True
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


def baseline_permission(request: Request, settings: Settings) -> tuple[int, str] | None:
    """None when the client may capture a baseline, else the status and reason it may not.

    With `HEALTHPREDICT_API_TOKEN` set, the bearer token decides (constant-time compare);
    without one, only clients on this machine may write to the store.
    """
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
            "baseline capture is only allowed from this machine "
            "unless HEALTHPREDICT_API_TOKEN is set",
        )
    return None


def require_baseline_permission(request: Request, settings: SettingsDep) -> None:
    refusal = baseline_permission(request, settings)
    if refusal is not None:
        code, reason = refusal
        headers = {"WWW-Authenticate": "Bearer"} if code == status.HTTP_401_UNAUTHORIZED else None
        raise HTTPException(status_code=code, detail=reason, headers=headers)
