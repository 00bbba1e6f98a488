"""The rich tables the commands print on stdout: batches, the whole experiment, the replay.

Full width in a terminal; a fixed width when piped, so a file gets every column untruncated.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from rich.console import Console

    from healthpredict.experiment import ExperimentResult
    from pipeline.replay import ReplayResult
    from pipeline.steps import BatchResult

PIPED_WIDTH: Final = 120
REPLAY_PIPED_WIDTH: Final = 140  # the replay table's policy labels are long


def _fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _batch_rows(outcomes: Sequence[BatchResult]) -> list[list[str]]:
    rows = []
    for o in outcomes:
        seconds = sum(o.timings.values())
        rows.append(
            [
                str(o.batch),
                o.profile,
                _fmt(o.drift_share, 2),
                str(o.decision),
                _fmt(o.prod_auc),
                _fmt(o.new_auc) if o.retrained else "—",
                o.model_version or "—",
                _fmt(seconds, 1),
            ]
        )
    return rows


BATCH_COLUMNS: Final = (
    "batch",
    "profile",
    "drift share",
    "decision",
    "prod AUC",
    "new AUC",
    "Production",
    "seconds",
)


def _console(piped_width: int = PIPED_WIDTH) -> Console:
    """Full-width table in a terminal; a fixed, untruncated width when piped to a file."""
    from rich.console import Console

    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else piped_width)


def print_batch_table(outcomes: Sequence[BatchResult], extra: Sequence[list[str]] = ()) -> None:
    from rich.table import Table

    table = Table(*BATCH_COLUMNS, title="Health Predict — batches")
    for row in [*extra, *_batch_rows(outcomes)]:
        table.add_row(*row)
    _console().print(table)


def print_experiment_table(result: ExperimentResult) -> None:
    baseline_row = [
        "0",
        "baseline",
        "—",  # batch 0 is the reference: no drift share, as on the page
        "BASELINE",
        _fmt(result.baseline.auc),
        "—",
        result.baseline.model_version,
        _fmt(result.timings.get("baseline"), 1),
    ]
    print_batch_table(result.batches, [baseline_row])
    steps = ", ".join(
        f"{name} {seconds:.1f} s"
        for name, seconds in result.timings.items()
        if not name.startswith("batch ")
    )
    _console().print(
        f"initial model validation AUC {result.initial.training.validation_auc:.4f}; steps: {steps}"
    )


def print_replay(result: ReplayResult) -> None:
    from rich.table import Column, Table

    batches = [step.batch for step in result.results[0].steps] if result.results else []
    table = Table(
        Column("policy", no_wrap=True),
        *(f"b{b}" for b in batches),
        "retr.",
        "depl.",
        "mean AUC",
        "worst",
        "train s",
        title=f"What other policies would have done (replay {result.replay_id[:8]}, "
        f"seed {result.seed})",
    )
    marks = {"DEPLOY": "+", "DEPLOY_REFRESH": "+", "SKIP": "x"}
    for policy_result in result.results:
        label = policy_result.policy.label + (" *" if policy_result.configured else "")
        cells = [f"{s.auc.auc:.3f}{marks.get(str(s.decision), '')}" for s in policy_result.steps]
        table.add_row(
            label,
            *cells,
            str(policy_result.n_retrains),
            str(policy_result.n_deploys),
            _fmt(policy_result.mean_auc),
            _fmt(policy_result.worst_auc),
            _fmt(policy_result.training_seconds, 1),
        )
    console = _console(REPLAY_PIPED_WIDTH)
    console.print(table)
    fixed = result.fixed_hyperparameters
    how = (
        "the pipeline's own search"
        if fixed is None
        else "hyper-parameters fixed to the initial search's best ("
        + ", ".join(f"{k} {v}" for k, v in fixed.items())
        + "), early-stopped on each policy's validation data, no refit"
    )
    console.print(
        f"b1-b5: AUC of the model in Production after each batch, on that batch's test split; "
        f"+ retrained and deployed, x retrained but kept Production; * the configured policy. "
        f"Training: {how}. Replay {result.seconds:.1f} s."
    )
