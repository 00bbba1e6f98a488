"""Showing a URI without its secrets: `redact_uri` for every URI the project shows or logs.

A tracking URI such as `http://alice:Pa55w0rd@mlflow:5000` or
`postgresql://mlflow:secret@db/mlflow?sslpassword=x` carries credentials; the report API shows the
URI on its page, in `/config`, `/health` and error bodies, and the CLIs log it. Everything that
displays a URI passes it through `redact_uri`; error messages that may quote one pass through
`redact_text`. The real URI is still what MLflow is given.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

MASK = "***"

# Query parameter names (lower case, split on `_`, `-` and `.`) that hold a secret: `password`,
# `sslpassword`, `access_key`, `X-Amz-Signature`, `sig` (Azure SAS), `api_key`, `token` ...
SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "token",
        "key",
        "apikey",
        "accesskey",
        "sig",
        "signature",
        "credential",
        "credentials",
        "auth",
        "authorization",
        "sas",
    }
)
_SECRET_SUFFIXES = ("password", "passwd", "secret", "token", "key", "signature")
_URI_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>`]+")
# A query parameter quoted without its URI, e.g. urllib3's "url: /?token=...": mask it too.
_PARAM_IN_TEXT = re.compile(r"(?<=[?&;])([A-Za-z0-9_.\-]+)=([^&#\s'\"<>`]+)")


def _secret_name(name: str) -> bool:
    lowered = unquote(name).strip().lower()
    words = [word for word in re.split(r"[_\-.]", lowered) if word]
    return any(word in SECRET_WORDS for word in words) or lowered.endswith(_SECRET_SUFFIXES)


def _redact_query(query: str) -> str:
    pieces = []
    for piece in query.split("&"):
        name, equals, value = piece.partition("=")
        pieces.append(f"{name}={MASK}" if equals and value and _secret_name(name) else piece)
    return "&".join(pieces)


def redact_uri(uri: str) -> str:
    """`uri` with its user-info and password-like query parameters replaced by `***`.

    Everything else (scheme, host, port, path, other parameters) is kept byte for byte, so a URI
    without secrets comes back unchanged: `sqlite:///mlflow.db`, `file:///tmp/mlruns`, a folder.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return MASK  # not a URI we can take apart (e.g. a broken IPv6 host): show nothing of it
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    query = _redact_query(parts.query)
    if netloc == parts.netloc and query == parts.query:
        return uri
    before_fragment = uri.partition("#")[0]
    rebuilt = f"{parts.scheme}:" if parts.scheme else ""
    if parts.netloc or before_fragment[len(rebuilt) :].startswith("//"):
        rebuilt += f"//{netloc}"
    rebuilt += parts.path
    if "?" in before_fragment:
        rebuilt += f"?{query}"
    if "#" in uri:
        rebuilt += f"#{parts.fragment}"
    return rebuilt


def redact_text(text: str) -> str:
    """A message with every URI in it passed through `redact_uri` (for error text and logs)."""
    text = _URI_IN_TEXT.sub(lambda match: redact_uri(match.group(0)), text)
    return _PARAM_IN_TEXT.sub(
        lambda match: (
            f"{match.group(1)}={MASK}" if _secret_name(match.group(1)) else match.group(0)
        ),
        text,
    )
