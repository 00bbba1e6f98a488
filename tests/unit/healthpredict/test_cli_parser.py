"""The command line's parser, without running it: every option tells the reader what it does.

The commands themselves run as processes in tests/integration/healthpredict/test_cli.py.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from healthpredict.cli import build_parser


def _documented(action: argparse.Action) -> bool:
    """Help that says what the option does, beyond its default value."""
    text = (action.help or "").split("(default")[0]
    return len(text.split()) >= 3


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _subparsers(child)


def test_every_option_says_what_it_does():
    undocumented = [
        f"{parser.prog} {action.option_strings or action.dest}"
        for parser in _subparsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
        and not _documented(action)
    ]
    assert undocumented == []
