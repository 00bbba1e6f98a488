"""``build_parser``: the ``healthpredict`` command line, one command group per module.

Each module in ``healthpredict.cli.commands`` builds its commands' parsers (``add_<name>``) and
sets each one's ``handler``; handlers import what they need inside, so building the parser loads
no pandas, MLflow, scikit-learn, boto3, XGBoost or uvicorn. To add a command, write its
``add_<name>`` and handler in the module of its group and call it here.
"""

from __future__ import annotations

import argparse
from importlib import metadata
from typing import Final

from healthpredict.cli.commands.experiment import add_experiment
from healthpredict.cli.commands.replay import add_replay
from healthpredict.cli.commands.report import add_report, add_serve
from healthpredict.cli.commands.steps import add_baseline, add_batch, add_train_initial
from healthpredict.cli.options import Parser, subcommands

PROG: Final = "healthpredict"
DISTRIBUTION: Final = "healthpredict"
DESCRIPTION: Final = (
    "Health Predict: the drift-aware readmission experiment. `experiment run` runs it all "
    "(data, initial model, baseline, batches 1-5, policy replay) into MLflow; `serve` and "
    "`report export` show what it wrote."
)


def version() -> str:
    """The installed package's version (its metadata), or a note that it is not installed."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown (not installed: run `make install`)"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description=DESCRIPTION)
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {version()}",
        help="print the installed version and exit",
    )
    commands = subcommands(parser, "command")
    add_experiment(commands)
    add_train_initial(commands)
    add_batch(commands)
    add_baseline(commands)
    add_replay(commands)
    add_serve(commands)
    add_report(commands)
    return parser
