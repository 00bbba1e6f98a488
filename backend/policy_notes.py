"""The notes `GET /policies` shows under the comparison: how to read it, written by the API.

Descriptive only: five batches and one seed describe one run-through. The verdict between
policies comes from the forward-in-time paired comparison (`backend.policy_forward`) when the
replay recorded it; an older replay without it gets the unpaired reading (overlapping intervals of
the mean AUC show nothing) and a line saying what was not recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.policy_schemas import PolicyResult

# The pipeline's default, and how it was chosen (docs/policy-study.md; bench/results/).
DEFAULT_POLICY_LABEL = "drift:all_data:initial"
HOW_THE_DEFAULT_WAS_CHOSEN = (
    "The pipeline's policy, drift:all_data:initial, is the original pipeline's: a protocol "
    "committed before the study (docs/policy-study.md) kept it, because held-out seeds did not "
    "confirm the alternative its selection seeds chose."
)


def _overlap(a: PolicyResult, b: PolicyResult) -> bool:
    assert a.mean_auc_ci_low is not None and a.mean_auc_ci_high is not None
    assert b.mean_auc_ci_low is not None and b.mean_auc_ci_high is not None
    return a.mean_auc_ci_low <= b.mean_auc_ci_high and b.mean_auc_ci_low <= a.mean_auc_ci_high


def notes(
    results: Sequence[PolicyResult],
    seed: int | None,
    fixed: bool | None,
    hyper: str | None,
    paired: str | None = None,
) -> list[str]:
    """The page's reading of the comparison: descriptive, and explicit where nothing is shown."""
    n_batches = max((len(r.batches) for r in results), default=0)
    seed_text = f"one seed ({seed})" if seed is not None else "one seed"
    lines = [
        f"{n_batches} batches and {seed_text}: these figures describe this run-through of the "
        "experiment; they are not evidence of how the policies compare in general."
    ]
    if any(r.configured and r.label == DEFAULT_POLICY_LABEL for r in results):
        lines.append(HOW_THE_DEFAULT_WAS_CHOSEN)
    if fixed:
        lines.append(
            "Every candidate in this replay used the initial search's best hyper-parameters"
            + (f" ({hyper})" if hyper else "")
            + ", early-stopped on its policy's validation data and not refitted; the pipeline "
            "searches on every retrain, so the configured policy's AUCs here can differ "
            "slightly from the batches above."
        )
    if paired is not None:
        lines.append(paired)
        return lines
    lines.append(
        "This replay did not record the forward-in-time paired comparison (run "
        "`healthpredict replay` again to add it); the reading below compares unpaired intervals."
    )
    ranked = [r for r in results if r.mean_auc_ci_low is not None and r.mean_auc is not None]
    if len(ranked) >= 2:
        best = max(ranked, key=lambda r: r.mean_auc or 0.0)
        below = [r.label for r in ranked if r is not best and not _overlap(best, r)]
        if not below:
            lines.append(
                "The 95% intervals of the mean AUC overlap for every pair of policies: no "
                "policy is shown better than another."
            )
        else:
            lines.append(
                f"{best.label} has the highest mean AUC, and its 95% interval lies above that of "
                f"{', '.join(below)}; where intervals overlap, no policy is shown better."
            )
    return lines
