"""`make bench`'s table: every part's figures, with the target marked met or missed."""

from __future__ import annotations

import io

from rich.console import Console

from bench.__main__ import render


def table(parts: dict) -> str:
    out = io.StringIO()
    render({"parts": parts}, Console(file=out, width=140, color_system=None))
    return out.getvalue()


def test_a_met_target_reads_ok_and_a_missed_one_miss():
    shown = table({"page": {"status": "ok", "result": {"js_gzip_kb": 220}}})
    assert "JS gzip (KB)" in shown and "ok" in shown
    missed = table({"page": {"status": "ok", "result": {"js_gzip_kb": 300}}})
    assert "MISS" in missed


def test_a_skipped_part_says_why():
    shown = table({"experiment": {"status": "skipped", "reason": "no data set"}})
    assert "skipped" in shown and "no data set" in shown
