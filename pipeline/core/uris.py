"""Showing a URI without its secrets: `redact_uri` for every URI the project shows or logs.

A tracking URI such as `http://alice:Pa55w0rd@mlflow:5000` or
`postgresql://mlflow:Pg/S3cret@db/mlflow?sslpassword=x` carries credentials; the report API shows
the URI on its page, in `/config`, `/health` and error bodies, and the CLIs log it. Everything
that displays a URI passes it through `redact_uri`; error messages that may quote one pass through
`redact_text`, and `install_log_redaction` applies `redact_text` to every log record (urllib3's
retry warnings included). The real URI is still what MLflow is given.

Credentials are found the way the client that uses the URI finds them, not with `urlsplit`
(whose network location stops at the first `/`, so `mlflow:Pg/S3cret@db` hides its `@`):
- database URIs (`postgresql`, `mysql`, `mssql`, `sqlite`, `oracle`, with or without `+driver`)
  with SQLAlchemy's own rule (`sqlalchemy.engine.url.make_url`'s pattern: the password runs to
  the first `@`; the lean API install has no SQLAlchemy, so the pattern is repeated here and a
  test checks it against `make_url`);
- any other URI: the user-info before the LAST `@` of the authority; when the authority (up to
  the first `/`, `?`, `#`) looks cut short by such a character inside a password, up to the `@`
  that ends it.
"""

from __future__ import annotations

import logging
import re
from typing import Final
from urllib.parse import unquote

MASK: Final = "***"

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
DATABASE_SCHEMES: Final = frozenset(
    {"postgresql", "postgres", "mysql", "mssql", "sqlite", "oracle"}
)
_SCHEME = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?P<slashes>//)?")
# SQLAlchemy 2's URL pattern (sqlalchemy/engine/url.py, `_parse_url`), up to the host.
_SQLALCHEMY_USERINFO = re.compile(
    r"""(?P<name>[\w\+]+)://(?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?""", re.X
)
_URI_IN_TEXT = re.compile(
    # a URI whose password holds spaces (up to its `@`, never across ": "), or a plain one
    r"[A-Za-z][A-Za-z0-9+.\-]*://"
    r"(?:[^\s:/@'\"<>`]*:(?!\d+(?:[/\s]|$))(?:(?!: )[^'\"<>`\n@]){0,200}@)?"
    r"[^\s'\"<>`]+"
)
# A query parameter quoted without its URI, e.g. urllib3's "url: /?token=...": mask it too.
_PARAM_IN_TEXT = re.compile(r"(?<=[?&;])([A-Za-z0-9_.\-]+)=([^&#\s'\"<>`]+)")
_AUTHORITY = re.compile(r"[^/?#]*")
# `host:port` followed by a path, query or fragment: a colon that is no password's.
_HOST_AND_PORT = re.compile(r"[^:/?#@]*:\d+(?:[/?#]|$)")


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


def _database_userinfo_end(uri: str) -> int | None:
    """End of the user-info (`@` included) as SQLAlchemy reads it, None without one."""
    match = _SQLALCHEMY_USERINFO.match(uri)
    if match is None or match.group("username") is None:
        return None
    return match.end()


def _authority_userinfo_end(uri: str, start: int) -> int | None:
    """End of the user-info (`@` included) of an authority starting at `start`, None without.

    The authority runs to the first `/`, `?` or `#`, its user-info to the last `@` in it. When
    that authority holds no `@` but the text before the first `@` reads as `user:password`
    (a colon not followed by a port), a `/`, `?` or `#` inside the password cut it short: the
    user-info then runs to that `@` (and on to the last `@` before the host ends).
    """
    rest = uri[start:]
    authority = _AUTHORITY.match(rest)
    assert authority is not None  # the pattern matches the empty string
    if "@" in authority.group(0):
        return start + authority.group(0).rindex("@") + 1
    head, at, _ = rest.partition("@")
    if not at or ":" not in head or _HOST_AND_PORT.match(head):
        return None
    end = len(head) + 1
    while "@" in (host := _AUTHORITY.match(rest, end).group(0)):  # type: ignore[union-attr]
        end += host.rindex("@") + 1
    return start + end


def userinfo_span(uri: str) -> tuple[int, int] | None:
    """Where `uri`'s user-info (`user:password@`) starts and ends, None when it has none."""
    match = _SCHEME.match(uri)
    if match is None or not match.group("slashes"):
        return None
    start = match.end()
    base = match.group("scheme").lower().partition("+")[0]
    # A database URI: what SQLAlchemy reads as credentials, and more when the generic rule
    # finds a later `@` (an unencoded `@` in a password): never show less than either.
    ends = [_authority_userinfo_end(uri, start)]
    if base in DATABASE_SCHEMES:
        ends.append(_database_userinfo_end(uri))
    found = [end for end in ends if end is not None]
    return (start, max(found)) if found else None


def without_userinfo(uri: str) -> str:
    """`uri` with no `user:password@` at all: a link that shows (and sends) no credentials."""
    span = userinfo_span(uri)
    return uri if span is None else uri[: span[0]] + uri[span[1] :]


def redact_uri(uri: str) -> str:
    """`uri` with its user-info and password-like query parameters replaced by `***`.

    Everything else (scheme, host, port, path, other parameters) is kept byte for byte, so a URI
    without secrets comes back unchanged: `sqlite:///mlflow.db`, `file:///tmp/mlruns`, a folder.
    """
    span = userinfo_span(uri)
    if span is not None:
        uri = f"{uri[: span[0]]}{MASK}@{uri[span[1] :]}"
    before_fragment, hash_sign, fragment = uri.partition("#")
    if span is not None and "#" in uri[: span[0]]:
        before_fragment, hash_sign, fragment = uri, "", ""
    path, question, query = before_fragment.partition("?")
    if not question:
        return uri
    return f"{path}?{_redact_query(query)}{hash_sign}{fragment}"


def redact_text(text: str) -> str:
    """A message with every URI in it passed through `redact_uri` (for error text and logs)."""
    text = _URI_IN_TEXT.sub(lambda match: redact_uri(match.group(0)), text)
    return _PARAM_IN_TEXT.sub(
        lambda match: (
            f"{match.group(1)}={MASK}" if _secret_name(match.group(1)) else match.group(0)
        ),
        text,
    )


def _redacted_arg(arg: object) -> object:
    """A %-argument through `redact_text`: kept as is (its type too) unless it shows a secret."""
    if isinstance(arg, (int, float)) or arg is None:
        return arg
    text = str(arg)
    redacted = redact_text(text)
    return arg if redacted == text else redacted


class RedactingFilter(logging.Filter):
    """Passes a record's message and each of its %-arguments through `redact_text`.

    The arguments stay separate (uvicorn's access formatter reads them as a tuple); one that
    shows a secret is replaced by its redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted_arg(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted_arg(value) for key, value in record.args.items()}
        return True


_FILTER: Final = RedactingFilter()
_installed = False


def install_log_redaction() -> None:
    """Pass every log record of this process, third-party ones included, through the filter.

    A filter on a logger misses its children's records and one on a handler misses handlers
    added later (uvicorn's), so the filter runs in the record factory: once per record made.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(redacted_record)
    _installed = True
