"""What the subcommands share: argument types, option groups and the subcommand builder.

The MLflow store and storage options are defined once for both command lines in
``pipeline.core.options``; the ones here exist only in ``healthpredict``. Nothing here imports
pandas, MLflow or XGBoost: ``--help`` and usage errors answer at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from pipeline.core import config
from pipeline.core import options as shared
from pipeline.core.contract import GATE_RULES

if TYPE_CHECKING:
    from typing import TypeAlias

    from pipeline.data.storage import Storage
    from pipeline.steps import TrainingOptions

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

DEFAULT_HPO_TRIALS: Final = 4  # mirrors training.DEFAULT_N_TRIALS without importing XGBoost
DEFAULT_BATCH_SIZE: Final = 2000  # mirrors batches.DEFAULT_BATCH_SIZE
Command = Callable[[argparse.Namespace], int]
AddOptions = Callable[[argparse.ArgumentParser], None]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose subcommands report unknown options with their own usage.

    Plain argparse hands a subcommand's unrecognised arguments back to the top-level parser,
    which prints the top-level usage; here the parser that saw them refuses them.
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def batch_number(text: str) -> int:
    if text.strip() == "0":
        raise argparse.ArgumentTypeError("batch 0 is the baseline: run `healthpredict baseline`")
    return positive_int(text)


def add_tracking(parser: argparse.ArgumentParser) -> None:
    shared.add_tracking_uri(parser)


def add_reading_tracking(parser: argparse.ArgumentParser) -> None:
    shared.add_tracking_uri(parser, use="read")


def add_storage(parser: argparse.ArgumentParser) -> None:
    shared.add_storage(parser)


def add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default=None,
        metavar="PATH",
        help="the raw data set: diabetic_data.csv or the zip as distributed by UCI "
        "(default: $HEALTHPREDICT_DATA, then the cache, then a one-time download)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=config.DEFAULT_SEED,
        metavar="N",
        help="random seed for cutting the batches and for training; the same seed gives the "
        "same batches and models (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        default=DEFAULT_BATCH_SIZE,
        metavar="ROWS",
        help="encounters per drift batch (default: %(default)s)",
    )


def add_trials(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hpo-trials",
        type=positive_int,
        default=DEFAULT_HPO_TRIALS,
        metavar="N",
        help="hyper-parameter settings tried per training; more is slower and rarely better "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--refit-on-validation",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after early stopping picks the best trial on validation, refit its params on "
        "train + validation (default: %(default)s)",
    )


def add_gate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gate",
        dest="gate_rule",
        choices=GATE_RULES,
        default=GATE_RULES[0],
        help="the quality gate's rule. standard (the original pipeline's): deploy unless the new "
        "AUC is more than 0.02 below Production's. strict: deploy only when the new model is "
        "shown non-inferior (the 95%% interval of new - Production lies above -0.02) and its AUC "
        "interval lies above 0.5 (default: %(default)s)",
    )


def training_options(args: argparse.Namespace) -> TrainingOptions:
    from pipeline.steps import TrainingOptions

    return TrainingOptions(
        n_trials=args.hpo_trials,
        refit_on_validation=args.refit_on_validation,
        gate_rule=getattr(args, "gate_rule", GATE_RULES[0]),
    )


def open_storage(args: argparse.Namespace) -> Storage:
    from pipeline.data.storage import open_storage as open_location

    return open_location(shared.storage(args), s3_endpoint_url=args.s3_endpoint_url)


def store_exists(tracking_uri: str) -> bool:
    """False for a SQLite store whose file does not exist (MLflow would create an empty one)."""
    database = config.sqlite_path(tracking_uri)
    return database is None or database.is_file()


def subcommands(parser: argparse.ArgumentParser, dest: str) -> Subcommands:
    return parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")


def command(
    commands: Subcommands,
    name: str,
    summary: str,
    description: str,
    handler: Command,
    options: Sequence[AddOptions] = (),
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary, its help page's description and its handler."""
    parser = commands.add_parser(name, help=summary, description=description)
    for add_options in options:
        add_options(parser)
    parser.set_defaults(handler=handler)
    return parser


def group(commands: Subcommands, name: str, summary: str, description: str) -> Subcommands:
    """A command that only groups subcommands (``experiment``, ``batch``, ``report``)."""
    parser = commands.add_parser(name, help=summary, description=description)
    return subcommands(parser, f"{name}_command")
