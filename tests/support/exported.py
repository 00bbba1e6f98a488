"""Reading an exported report file (`healthpredict report export`, `GET /export`) as a browser
would: its elements, and the report data it embeds."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from backend.export import DATA_ELEMENT_ID


class Elements(HTMLParser):
    """The elements a browser would build from the file, and each script's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(html: bytes) -> Elements:
    """The file's elements and script texts, as a browser's parser sees them."""
    parser = Elements()
    parser.feed(html.decode("utf-8"))
    return parser


def embedded(html: bytes) -> dict[str, Any]:
    """The report data the file carries: `{"format", "generated_at", "responses"}`."""
    elements = parse(html)
    index = next(
        i
        for i, (tag, attrs) in enumerate(t for t in elements.tags if t[0] == "script")
        if attrs.get("id") == DATA_ELEMENT_ID
    )
    document: dict[str, Any] = json.loads(elements.scripts[index])
    return document
