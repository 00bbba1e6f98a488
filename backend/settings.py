"""The report API's settings: one pydantic-settings class, read from the environment.

Bad values refuse to start the API with a one-line message (`load_settings`), instead of surfacing
later as a confusing 500. Defaults match `healthpredict experiment run`, so `healthpredict serve`
shows what the last run with default options wrote.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.core import config
from pipeline.core.contract import DEFAULT_DRIFT_THRESHOLD
from pipeline.core.errors import HealthPredictError
from pipeline.core.uris import redact_text, redact_uri, without_userinfo

REPO_ROOT = Path(__file__).resolve().parents[1]
CHECKOUT_PAGE = REPO_ROOT / "frontend" / "dist"
# The page an installed wheel carries (hatch_build.py copies frontend/dist there).
PACKAGED_PAGE = Path(__file__).resolve().parent / "static"
DEFAULT_CACHE_TTL_SECONDS = 30.0
# Host names a write (POST /baseline, POST /refresh) may be addressed to: this machine's.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "::1")


def default_static_dir() -> Path:
    """The page to serve when HEALTHPREDICT_STATIC_DIR is unset.

    A checkout's own build first (what a developer just built), else the page inside the installed
    package; with neither, the checkout's path, so the hints name the folder to build.
    """
    if (CHECKOUT_PAGE / "index.html").is_file() or not (PACKAGED_PAGE / "index.html").is_file():
        return CHECKOUT_PAGE
    return PACKAGED_PAGE


class InvalidSettingsError(HealthPredictError):
    """An environment variable holds a value the API cannot start with."""


def _env(field: str, variable: str) -> AliasChoices:
    """Accept the field name (constructor, tests) and the documented variable (environment)."""
    return AliasChoices(field, variable)


def _http_url(value: str | None, variable: str) -> str | None:
    """Empty means unset; anything else must be an absolute http(s) URL. Returned without
    `user:password@`: the value is only ever shown (as a link), and a link shows its secrets."""
    if value is None or not value.strip():
        return None
    value = without_userinfo(value.strip())
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{variable} must be an http(s) URL such as http://127.0.0.1:5000, "
            f"got {redact_uri(value)!r}"
        )
    return value.rstrip("/")


def _host_name(value: object) -> str:
    """A host name or IP literal (IPv6 with or without brackets), lower case; no scheme, port."""
    host = str(value).strip().lower().removeprefix("[").removesuffix("]")
    ipv6 = host.count(":") > 1
    if not host or any(ch in host for ch in "/@ ") or (":" in host and not ipv6):
        raise ValueError(
            "HEALTHPREDICT_ALLOWED_HOSTS takes host names without scheme or port, "
            f"comma-separated, got {value!r}"
        )
    return host


class Settings(BaseSettings):
    """Everything the API reads from the environment, validated once at start-up."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    tracking_uri: str = Field(
        default_factory=config.default_tracking_uri,
        validation_alias=_env("tracking_uri", "MLFLOW_TRACKING_URI"),
    )
    storage: str = Field(
        default_factory=config.default_storage,
        validation_alias=_env("storage", "HEALTHPREDICT_STORAGE"),
    )
    drift_threshold: float = Field(
        default=DEFAULT_DRIFT_THRESHOLD,
        validation_alias=_env("drift_threshold", "HEALTHPREDICT_DRIFT_THRESHOLD"),
        description="used when the latest drift run carries no drift_threshold param",
    )
    cache_ttl_seconds: float = Field(
        default=DEFAULT_CACHE_TTL_SECONDS,
        validation_alias=_env("cache_ttl_seconds", "HEALTHPREDICT_CACHE_TTL_SECONDS"),
    )
    api_token: SecretStr | None = Field(
        default=None, validation_alias=_env("api_token", "HEALTHPREDICT_API_TOKEN")
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("cors_origins", "HEALTHPREDICT_CORS_ORIGINS")
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_ALLOWED_HOSTS),
        validation_alias=_env("allowed_hosts", "HEALTHPREDICT_ALLOWED_HOSTS"),
        description="Host header names writes are accepted for (`*.example.org`, `*` for any)",
    )
    mlflow_ui_url: str | None = Field(
        default=None, validation_alias=_env("mlflow_ui_url", "MLFLOW_UI_URL")
    )
    airflow_ui_url: str | None = Field(
        default=None, validation_alias=_env("airflow_ui_url", "AIRFLOW_UI_URL")
    )
    static_dir: Path = Field(
        default_factory=default_static_dir,
        validation_alias=_env("static_dir", "HEALTHPREDICT_STATIC_DIR"),
    )
    s3_endpoint_url: str | None = Field(
        default=None, validation_alias=_env("s3_endpoint_url", "MLFLOW_S3_ENDPOINT_URL")
    )

    @field_validator("tracking_uri")
    @classmethod
    def _check_tracking_uri(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch.isspace() for ch in value):
            raise ValueError(
                f"MLFLOW_TRACKING_URI must be a URI without spaces, got {redact_uri(value)!r} "
                "(percent-encode spaces in a password: %20)"
            )
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and not parts.netloc:
            raise ValueError(f"MLFLOW_TRACKING_URI has no host: {redact_uri(value)!r}")
        return value

    @field_validator("storage")
    @classmethod
    def _check_storage(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("HEALTHPREDICT_STORAGE must name a folder or s3://bucket[/prefix]")
        if value.startswith("s3://") and not urlsplit(value).netloc:
            raise ValueError(f"HEALTHPREDICT_STORAGE names no bucket: {value!r}")
        return value

    @field_validator("drift_threshold")
    @classmethod
    def _check_threshold(cls, value: float) -> float:
        if not math.isfinite(value) or not 0.0 < value <= 1.0:
            raise ValueError(f"HEALTHPREDICT_DRIFT_THRESHOLD must be in (0, 1], got {value}")
        return value

    @field_validator("cache_ttl_seconds")
    @classmethod
    def _check_ttl(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"HEALTHPREDICT_CACHE_TTL_SECONDS must be >= 0, got {value}")
        return value

    @field_validator("api_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.split(",")) if part]
        if isinstance(value, list):
            return [
                origin if origin == "*" else _http_url(origin, "HEALTHPREDICT_CORS_ORIGINS")
                for origin in value
            ]
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in (p.strip() for p in value.split(",")) if part]
            value = value or list(DEFAULT_ALLOWED_HOSTS)  # empty (compose's default): unset
        if isinstance(value, list):
            return [_host_name(host) for host in value]
        return value

    @field_validator("mlflow_ui_url")
    @classmethod
    def _check_mlflow_ui(cls, value: str | None) -> str | None:
        return _http_url(value, "MLFLOW_UI_URL")

    @field_validator("airflow_ui_url")
    @classmethod
    def _check_airflow_ui(cls, value: str | None) -> str | None:
        return _http_url(value, "AIRFLOW_UI_URL")

    @field_validator("s3_endpoint_url")
    @classmethod
    def _check_s3_endpoint(cls, value: str | None) -> str | None:
        return _http_url(value, "MLFLOW_S3_ENDPOINT_URL")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation failure into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(_describe(error) for error in exc.errors())
        raise InvalidSettingsError(f"invalid report API settings: {problems}") from None


def _variable(location: object) -> str:
    """The environment variable behind a field (or the alias pydantic reported)."""
    field_info = Settings.model_fields.get(str(location))
    alias = field_info.validation_alias if field_info else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1])
    return str(location).upper()


def _describe(error: Mapping[str, Any]) -> str:
    """Our validators name the variable already; pydantic's own messages get it prefixed."""
    ours = error.get("ctx", {}).get("error")
    if ours is not None:
        return redact_text(str(ours))
    location = error["loc"][0] if error.get("loc") else "settings"
    return redact_text(f"{_variable(location)}: {error['msg']} (got {error.get('input')!r})")
