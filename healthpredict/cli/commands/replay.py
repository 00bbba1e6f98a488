"""``healthpredict replay``: what other retraining policies would have done on batches 1-5."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from healthpredict.cli import options, tables
from pipeline.core import options as shared


def add_replay(commands: options.Subcommands) -> None:
    replay = options.command(
        commands,
        "replay",
        "replay batches 1-5 under other retraining policies (results to MLflow)",
        "Replay batches 1-5 from storage under each retraining policy, starting from the "
        "initial model, log the replay to MLflow (the report's \"What other policies would have "
        "done\") and print its table. By default the initial search's best hyper-parameters are "
        "fixed (early-stopped, no refit) to stay fast; --exact uses the pipeline's own search. "
        "`healthpredict experiment run` already does this once at its end.",
        run_replay,
        (options.add_tracking, options.add_storage, options.add_trials),
    )
    replay.add_argument(
        "--policies",
        default=None,
        help="comma-separated trigger[:training_policy[:validation[:gate]]], e.g. "
        "never,drift:all_data:initial,drift:window:newest (default: the standard set). "
        "Triggers: never, always, drift, performance, estimated_performance (no labels); "
        "training policies: all_data, recent_weighted, window; validation: initial, newest; "
        "gate: standard, above_chance, strict",
    )
    replay.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="random seed for training the replayed candidates (default: the prepared seed)",
    )
    replay.add_argument(
        "--exact",
        action="store_true",
        help="replay the configured policy with the pipeline's own training settings and "
        "compare with the decisions and AUCs it logged",
    )
    replay.add_argument(
        "--gate",
        choices=("standard", "above_chance", "strict"),
        default="standard",
        help="above_chance also refuses a candidate whose AUC interval lies below 0.5; strict "
        "deploys only a candidate shown non-inferior (margin 0.02) whose AUC interval lies "
        "above 0.5. A policy may name its own gate as a fourth part, e.g. "
        "drift:all_data:initial:strict",
    )


def run_replay(args: argparse.Namespace) -> int:
    from pipeline.replay import policies
    from pipeline.tracking import client as tracking

    chosen = (
        None
        if args.policies is None
        else [policies.Policy.parse(text) for text in args.policies.split(",") if text.strip()]
    )
    if chosen is not None:
        policies.check_unique(chosen)
    storage = options.open_storage(args)
    client = tracking.configure(shared.tracking_uri(args))
    from pipeline import replay
    from pipeline.data.manifest import read_manifest

    manifest = read_manifest(storage)
    training = options.training_options(args)
    exact = training.settings(manifest) if args.exact else None
    if exact is not None and args.seed is not None:
        exact = replace(exact, seed=args.seed)
    if chosen is None and args.exact:
        chosen = [training.policy]
    result = replay.run_replay(
        client,
        storage,
        chosen,
        exact_settings=exact,
        configured=training.policy,
        gate=args.gate,
        seed=args.seed,
    )
    tables.print_replay(result)
    if args.exact:
        configured = [r for r in result.results if r.configured]
        if not configured:
            sys.stdout.write("the configured policy was not replayed: nothing to compare\n")
            return 0
        fidelity = replay.compare_with_pipeline(client, configured[0])
        sys.stdout.write(
            f"exact replay of {configured[0].policy.label} against the logged run: "
            f"{fidelity.batches - len(fidelity.decision_mismatches)}/{fidelity.batches} "
            f"decisions match, largest AUC difference {fidelity.max_auc_difference:.2e}\n"
        )
        for line in fidelity.decision_mismatches:
            sys.stdout.write(f"  {line}\n")
        return 0 if fidelity.reproduced else 1
    return 0
