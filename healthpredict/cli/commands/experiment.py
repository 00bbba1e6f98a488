"""``healthpredict experiment run`` and ``experiment prepare``: the experiment, or its data."""

from __future__ import annotations

import argparse
import sys

from healthpredict.cli import options, tables
from pipeline.core import options as shared
from pipeline.core.uris import redact_uri

REPLAY_NOTE = (
    "`experiment run` ends by replaying batches 1-5 under the other retraining policies "
    "(never, always, drift- or performance-triggered; all data, recency-weighted or a recent "
    "window), logs the replay to MLflow and prints its table, as `healthpredict replay` does; "
    "--no-replay skips that step."
)


def add_experiment(commands: options.Subcommands) -> None:
    steps = options.group(
        commands,
        "experiment",
        "run the whole experiment (policy replay included), or only prepare its data",
        "Run the whole experiment (`run`), or only prepare its data (`prepare`). " + REPLAY_NOTE,
    )
    run = options.command(
        steps,
        "run",
        "prepare, train, baseline, batches 1-5 and the policy replay, then print the tables",
        "Prepare the data, train and promote the initial model, capture the baseline, run "
        "batches 1-5 (drift check, retraining, quality gate), then print the batch table. "
        + REPLAY_NOTE,
        experiment_run,
        (
            options.add_data,
            options.add_tracking,
            options.add_storage,
            options.add_trials,
            options.add_gate,
        ),
    )
    run.add_argument(
        "--no-replay",
        dest="replay",
        action="store_false",
        help="skip the policy replay at the end (run it later with `healthpredict replay`)",
    )
    run.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the store already holds a complete run-through",
    )
    options.command(
        steps,
        "prepare",
        "split the data and cut the batches into the storage",
        "Check the raw data file (a .csv or .zip with the data set's columns), split it "
        "(initial train/validation/test, future) and cut batches 1-5 into the storage, with "
        "a manifest. Writes nothing to MLflow.",
        experiment_prepare,
        (options.add_data, options.add_storage),
    )


def experiment_run(args: argparse.Namespace) -> int:
    tracking_uri = shared.tracking_uri(args)
    storage = options.open_storage(args)
    if args.if_missing and options.store_exists(tracking_uri):
        from healthpredict import experiment
        from pipeline.tracking import client as tracking

        client = tracking.configure(tracking_uri)  # first: an unreachable server fails fast
        if experiment.is_complete(client, storage):
            sys.stdout.write(
                f"already there: {storage.describe()} and {redact_uri(tracking_uri)} hold a "
                "complete run-through; nothing to do\n"
            )
            return 0
    from pipeline.data import raw as data

    data_file = data.locate(args.data)  # before any store is created: no data, no state
    from healthpredict import experiment
    from pipeline.tracking import client as tracking

    tracking.configure(tracking_uri)  # an unreachable server fails before the long part
    result = experiment.run_all(
        data_file,
        tracking_uri,
        storage,
        seed=args.seed,
        batch_size=args.batch_size,
        options=options.training_options(args),
        replay=args.replay,
    )
    tables.print_experiment_table(result)
    if result.replay is not None:
        tables.print_replay(result.replay)
    return 0


def experiment_prepare(args: argparse.Namespace) -> int:
    from pipeline.data import raw as data

    data_file = data.locate(args.data)  # the file's cheap check, before pandas and the storage
    storage = options.open_storage(args)
    from pipeline import steps

    manifest = steps.prepare(data_file, storage, args.seed, args.batch_size)
    lines = [f"prepared {storage.describe()} (seed {manifest.seed})"]
    lines += [f"  batch {b.number}: {b.rows} rows, {b.profile}" for b in manifest.batches]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
