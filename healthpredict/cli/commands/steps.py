"""One step of the experiment at a time: ``train-initial``, ``baseline``, ``batch run N``."""

from __future__ import annotations

import argparse
import sys

from healthpredict.cli import options, tables
from pipeline.core import options as shared

STEP_OPTIONS = (options.add_tracking, options.add_storage, options.add_trials)


def add_train_initial(commands: options.Subcommands) -> None:
    options.command(
        commands,
        "train-initial",
        "train, register and promote the initial model",
        "Train on the prepared initial split (hyper-parameter search over XGBoost, early "
        "stopping on validation), register the model and make it Production. Needs "
        "`healthpredict experiment prepare` first.",
        train_initial,
        STEP_OPTIONS,
    )


def add_baseline(commands: options.Subcommands) -> None:
    from baseline.cli import DESCRIPTION, add_arguments

    options.command(
        commands,
        "baseline",
        "capture batch 0: the Production model on initial_test",
        DESCRIPTION,
        baseline,
        (add_arguments,),
    )


def add_batch(commands: options.Subcommands) -> None:
    parser = options.command(
        options.group(commands, "batch", "run one batch", "Run one prepared batch."),
        "run",
        "drift check, retraining if needed, quality gate",
        "Check the batch for drift against the initial data, retrain when the drift share "
        "reaches the threshold (or when forced), run the quality gate on the batch's test "
        "split and promote the candidate when the gate deploys it.",
        batch_run,
    )
    parser.add_argument(
        "number",
        type=options.batch_number,
        help="the batch, 1 to the last prepared one (batch 0 is `healthpredict baseline`)",
    )
    parser.add_argument(
        "--force-retrain",
        action="store_true",
        help="train a candidate and run the gate even when the batch shows no drift",
    )
    for add_options in (*STEP_OPTIONS, options.add_gate):
        add_options(parser)


def train_initial(args: argparse.Namespace) -> int:
    tracking_uri = shared.tracking_uri(args)
    storage = options.open_storage(args)
    from pipeline.data.manifest import read_manifest

    read_manifest(storage)  # refuse early, before MLflow: nothing to train on
    from pipeline import steps
    from pipeline.core import contract
    from pipeline.tracking import client as tracking

    client = tracking.configure(tracking_uri)  # an unreachable server fails fast
    outcome = steps.train_initial(client, storage, options.training_options(args))
    sys.stdout.write(
        f"{contract.model_version_uri(outcome.model_version)} is Production "
        f"(validation AUC {outcome.training.validation_auc:.4f}, "
        f"run {outcome.training.run_id})\n"
    )
    return 0


def baseline(args: argparse.Namespace) -> int:
    from baseline.cli import run as run_baseline

    return run_baseline(args)


def batch_run(args: argparse.Namespace) -> int:
    tracking_uri = shared.tracking_uri(args)
    storage = options.open_storage(args)
    from pipeline.data.manifest import read_manifest

    # The range is known only once the data is prepared: read it from the manifest, before MLflow.
    read_manifest(storage).info(args.number)
    from pipeline import steps
    from pipeline.tracking import client as tracking

    client = tracking.configure(tracking_uri)
    outcome = steps.run_batch(
        client,
        storage,
        args.number,
        force_retrain=args.force_retrain,
        options=options.training_options(args),
    )
    tables.print_batch_table([outcome])
    return 0
