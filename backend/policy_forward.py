"""The forward-in-time, paired policy comparison of `GET /policies`, from logged figures (pure).

The replay logs, per policy, the model in Production after batch N scored on batch N+1's test
split (``auc_next``, step N) and its paired DeLong difference to the configured policy's model
on the same rows (``delta_next_vs_configured``), with the mean difference over steps and its 95%
interval. Here the mean difference's p value is read back from that interval (normal, as it was
computed), the policies' p values are adjusted together by Holm's method
(`pipeline.core.multiplicity.holm`), and a policy is called better or worse than the configured
one only when its adjusted p is below 0.05; otherwise the comparison is inconclusive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from backend.policy_schemas import ForwardVerdict, PolicyForwardStep
from backend.run_fields import finite
from pipeline.core import stats
from pipeline.core.contract import ReplayMetric
from pipeline.core.multiplicity import adjusted_verdict, holm

History = Mapping[int, float]

FORWARD_METRICS: Final = (
    ReplayMetric.AUC_NEXT,
    ReplayMetric.AUC_NEXT_CI_LOW,
    ReplayMetric.AUC_NEXT_CI_HIGH,
    ReplayMetric.DELTA_NEXT,
    ReplayMetric.DELTA_NEXT_CI_LOW,
    ReplayMetric.DELTA_NEXT_CI_HIGH,
    ReplayMetric.CALIBRATION_SLOPE_NEXT,
)


@dataclass(frozen=True)
class MeanDifference:
    mean: float
    ci_low: float
    ci_high: float

    @property
    def p_value(self) -> float:
        """Two-sided p against 0, the variance read back from the logged 95% interval."""
        variance = stats.variance_from_interval(self.ci_low, self.ci_high)
        return stats.mean_of_independent([self.mean], [variance]).p_value


def forward_steps(history: Mapping[str, History]) -> list[PolicyForwardStep]:
    """Step N = 0..: Production after batch N on batch N+1's test split (empty: not recorded)."""
    steps = sorted(history.get(ReplayMetric.AUC_NEXT, {}))
    rows = []
    for step in steps:
        value = {key: finite(history.get(key, {}).get(step)) for key in FORWARD_METRICS}
        rows.append(
            PolicyForwardStep(
                step=step,
                batch=step + 1,
                auc=value[ReplayMetric.AUC_NEXT],
                ci_low=value[ReplayMetric.AUC_NEXT_CI_LOW],
                ci_high=value[ReplayMetric.AUC_NEXT_CI_HIGH],
                delta_vs_configured=value[ReplayMetric.DELTA_NEXT],
                delta_ci_low=value[ReplayMetric.DELTA_NEXT_CI_LOW],
                delta_ci_high=value[ReplayMetric.DELTA_NEXT_CI_HIGH],
                calibration_slope=value[ReplayMetric.CALIBRATION_SLOPE_NEXT],
            )
        )
    return rows


def mean_difference(metrics: Mapping[str, float]) -> MeanDifference | None:
    """The logged mean paired difference to the configured policy, or None (not recorded)."""
    values = [
        finite(metrics.get(key))
        for key in (
            ReplayMetric.MEAN_DELTA_NEXT,
            ReplayMetric.MEAN_DELTA_NEXT_CI_LOW,
            ReplayMetric.MEAN_DELTA_NEXT_CI_HIGH,
        )
    ]
    mean, low, high = values
    if mean is None or low is None or high is None:
        return None
    return MeanDifference(mean, low, high)


@dataclass(frozen=True)
class Adjusted:
    p_value: float
    p_holm: float
    verdict: ForwardVerdict


def adjust(
    differences: Sequence[MeanDifference | None], configured: Sequence[bool]
) -> list[Adjusted | None]:
    """Holm across the policies compared with the configured one; the configured policy itself
    is the reference (p 1, not in the family). None where the difference was not recorded."""
    family = [
        i for i, (d, ref) in enumerate(zip(differences, configured, strict=True)) if d and not ref
    ]
    raw = [differences[i].p_value for i in family]  # type: ignore[union-attr]
    adjusted_by_index = dict(zip(family, holm(raw), strict=True))
    out: list[Adjusted | None] = []
    for i, (difference, reference) in enumerate(zip(differences, configured, strict=True)):
        if difference is None:
            out.append(None)
        elif reference:
            out.append(Adjusted(1.0, 1.0, "reference"))
        else:
            p_holm = adjusted_by_index[i]
            verdict = adjusted_verdict(difference.mean, p_holm)
            out.append(Adjusted(difference.p_value, p_holm, verdict))
    return out


def note(labels: Sequence[str], results: Sequence[tuple[str, MeanDifference, Adjusted]]) -> str:
    """One sentence on the paired comparison: which policies differ from the configured one
    after Holm's adjustment, with their mean difference and interval, or that none does."""
    configured = labels[0]
    compared = len(results)
    lead = (
        f"Forward in time (the model in Production after each batch, scored on the next batch) "
        f"and paired with {configured} on the same rows, after Holm's adjustment across "
        f"{compared} {'comparison' if compared == 1 else 'comparisons'}: "
    )
    shown = [(label, d, a) for label, d, a in results if a.verdict in ("better", "worse")]
    if not shown:
        return lead + f"no policy is shown better or worse than {configured} (inconclusive)."
    parts = [
        f"{label} {a.verdict} (mean {d.mean:+.3f}, 95% CI {d.ci_low:+.3f} to {d.ci_high:+.3f}, "
        f"adjusted p {a.p_holm:.3f})"
        for label, d, a in shown
    ]
    return lead + "; ".join(parts) + "; every other comparison is inconclusive."
