"""The shareable report: one self-contained HTML file holding the built page and its data.

The data is what the API itself answers, collected by calling the app in-process (no socket):
every GET route without path parameters (except the ones in `NOT_REPORT_DATA`), then every GET
route whose only path parameter is `{batch}`, for each batch `/batches` lists. A new report
endpoint is therefore exported as soon as it is routed. The responses go into the page as one
`<script type="application/json">` element, a map from API path to JSON body; the page's API
client answers from it instead of the network (frontend/src/api/embedded.ts).

The built page (`frontend/dist`) is inlined here rather than by a bundler plugin: the build is one
script, one stylesheet and a favicon, and `inline_page` refuses anything else, so a build that
grows a second chunk or an external URL fails the export loudly instead of producing a file that
needs the network. The same store, build and `generated_at` give the same bytes.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from collections.abc import MutableMapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI

from pipeline.core.errors import HealthPredictError

DATA_ELEMENT_ID: Final = "healthpredict-report-data"
FORMAT_VERSION: Final = 1
NOT_REPORT_DATA: Final = frozenset({"/health", "/export"})
BATCH_PARAM: Final = "batch"
BATCH_LIST_PATH: Final = "/batches"
EXPORT_FILENAME: Final = "healthpredict-report.html"
# What an in-process request looks like to the app: not a local client, so it may not capture.
EXPORT_CLIENT: Final = ("export", 0)

# The tags Vite writes into dist/index.html that load something.
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>\s*</script>", re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\b([^>]*?)/?>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
_PATH_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#)([^'\")]+)\1\s*\)", re.IGNORECASE)


class ExportError(HealthPredictError):
    """The report could not be exported; the message names the problem in one line."""

    def __init__(self, message: str, status_code: int = 503) -> None:
        super().__init__(message)
        self.status_code = status_code


class PageNotBuiltError(ExportError):
    """frontend/dist has no built page to export: nothing to export (404) until it is built."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 404)


# --- Collecting the API's answers -------------------------------------------------------------


async def _get(app: FastAPI, path: str) -> tuple[int, bytes]:
    """One GET through the whole app (middleware, exception handlers), in-process."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"export"), (b"accept", b"application/json")],
        "client": EXPORT_CLIENT,
        "server": ("export", 80),
    }
    status = 500
    body = bytearray()
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return status, bytes(body)


def report_paths(app: FastAPI) -> tuple[list[str], list[str]]:
    """The app's report paths, from its OpenAPI description (the one list of its routes):
    GET paths without parameters, and GET paths whose only parameter is `{batch}`."""
    plain: list[str] = []
    per_batch: list[str] = []
    for path, operations in app.openapi().get("paths", {}).items():
        if "get" not in operations:
            continue
        params = set(_PATH_PARAM.findall(path))
        if not params and path not in NOT_REPORT_DATA:
            plain.append(path)
        elif params == {BATCH_PARAM}:
            per_batch.append(path)
    return sorted(plain), sorted(per_batch)


def _detail(body: bytes) -> str:
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else body[:200].decode("utf-8", "replace")


async def _answer(app: FastAPI, path: str, *, missing_ok: bool) -> Any | None:
    status, body = await _get(app, path)
    if status == 404 and missing_ok:
        return None
    if status != 200:
        raise ExportError(f"GET {path} answered HTTP {status}: {_detail(body)}", status)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ExportError(f"GET {path} did not answer JSON: {exc}", 502) from None


async def collect_responses(app: FastAPI) -> dict[str, Any]:
    """Every report path's JSON answer; a batch route's 404 (no data for it) is left out."""
    plain, per_batch = report_paths(app)
    responses: dict[str, Any] = {}
    for path in plain:
        responses[path] = await _answer(app, path, missing_ok=False)
    batches = responses.get(BATCH_LIST_PATH) or {}
    numbers = sorted({int(b["batch"]) for b in batches.get("batches", [])})
    for template in per_batch:
        for number in numbers:
            path = template.replace(f"{{{BATCH_PARAM}}}", str(number))
            answer = await _answer(app, path, missing_ok=True)
            if answer is not None:
                responses[path] = answer
    return dict(sorted(responses.items()))


# --- Embedding ----------------------------------------------------------------------------------


def parse_generated_at(text: str) -> str:
    """An ISO 8601 date or time, normalised; `ExportError` (one line) when it is not one."""
    try:
        return datetime.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise ExportError(
            f"--generated-at must be an ISO 8601 date or time such as 2026-11-27T10:00:00Z, "
            f"got {text!r}",
            400,
        ) from None


def embedded_json(responses: dict[str, Any], generated_at: str | None) -> str:
    """The data element's text: strict JSON in which no `<`, `>` or `&` appears literally.

    Escaping those three as `\\u003c` etc. keeps `</script>`, `<!--` and entities in a run name,
    tag or column name from ending or altering the element; `JSON.parse` reads them back as is.
    """
    document = {
        "format": FORMAT_VERSION,
        "generated_at": generated_at,
        "responses": responses,
    }
    text = json.dumps(document, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): next((g for g in match.groups()[1:] if g is not None), "")
        for match in _ATTRIBUTE.finditer(text)
    }


def _asset(root: Path, reference: str) -> Path:
    if "://" in reference or reference.startswith("//") or reference.startswith("data:"):
        raise ExportError(
            f"the built page refers to {reference}, which an offline file cannot load"
        )
    candidate = (root / reference.split("?", 1)[0].lstrip("/")).resolve()
    if not candidate.is_file() or not candidate.is_relative_to(root):
        raise PageNotBuiltError(f"the built page refers to {reference}, which is missing in {root}")
    return candidate


def _script(code: str, path: Path) -> str:
    # Inside <script>, only "</script" and "<!--" are special; escaping "</" keeps JS meaning.
    if "<!--" in code:
        raise ExportError(f"{path.name} contains '<!--', which cannot be inlined safely")
    code = re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
    return f'<script type="module">{code}</script>'


def _style(css: str, path: Path) -> str:
    if re.search(r"</style", css, re.IGNORECASE):
        raise ExportError(f"{path.name} contains '</style', which cannot be inlined safely")
    external = _CSS_URL.search(css)
    if external:
        raise ExportError(f"{path.name} loads {external.group(2)}, which an offline file cannot")
    return f"<style>{css}</style>"


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def built_page(static_dir: Path) -> Path:
    """The built page's index.html; `PageNotBuiltError` when there is no build."""
    index = static_dir.resolve() / "index.html"
    if not index.is_file():
        raise PageNotBuiltError(
            f"the report page is not built ({index} is missing): run `make build` "
            "(or `npm ci && npm run build` in frontend/), or set HEALTHPREDICT_STATIC_DIR"
        )
    return index


def inline_page(static_dir: Path, data_json: str) -> str:
    """dist/index.html with its script, stylesheet and icon inlined and the data element added."""
    index = built_page(static_dir)
    root = index.parent
    html = index.read_text(encoding="utf-8")

    def script(match: re.Match[str]) -> str:
        source = _attributes(match.group(1)).get("src")
        if source is None:
            raise ExportError("the built page has an inline script the export does not know")
        path = _asset(root, source)
        return _script(path.read_text(encoding="utf-8"), path)

    def link(match: re.Match[str]) -> str:
        attributes = _attributes(match.group(1))
        rel, href = attributes.get("rel", "").lower(), attributes.get("href")
        if href is None or href.startswith("data:"):
            return match.group(0)
        path = _asset(root, href)
        if rel == "stylesheet":
            return _style(path.read_text(encoding="utf-8"), path)
        if rel == "icon":
            return f'<link rel="icon" href="{_data_uri(path)}">'
        raise ExportError(
            f"the built page links {href} (rel={rel!r}), which the export cannot inline"
        )

    body = _LINK_TAG.sub(link, _SCRIPT_TAG.sub(script, html))
    element = f'<script type="application/json" id="{DATA_ELEMENT_ID}">{data_json}</script>'
    if "</head>" not in body:
        raise ExportError(f"{index} has no </head>")
    return body.replace("</head>", f"{element}\n  </head>", 1)


async def export_html(app: FastAPI, static_dir: Path, generated_at: str | None = None) -> bytes:
    """The whole file, as bytes (UTF-8)."""
    built_page(static_dir)  # before MLflow is read
    responses = await collect_responses(app)
    return inline_page(static_dir, embedded_json(responses, generated_at)).encode("utf-8")
