"""Holm's adjustment across one run-through's gate comparisons, and the words it allows.

A report shows every retrained batch's comparison (new model minus Production) at once, so a
reader who looks for any "better" faces several tests. The adjusted p values depend on the whole
set, so they are computed here from the logged ``auc_improvement_p_value``s (CONTRACT.md, "Evidence,
second part"), never logged. "better" or "worse" only when the adjusted p is below 0.05;
otherwise "inconclusive", whatever the single test said.
"""

from __future__ import annotations

from backend.schemas import BatchResult
from pipeline.core.multiplicity import adjusted_verdict, holm


def adjust_gate_comparisons(results: list[BatchResult]) -> list[BatchResult]:
    """``results`` with each logged gate comparison's Holm-adjusted p and verdict filled in."""
    family = [
        index
        for index, result in enumerate(results)
        if result.gate_comparison is not None
        and result.gate_comparison.p_value is not None
        and result.gate_comparison.delta is not None
    ]
    p_values = [results[i].gate_comparison.p_value for i in family]  # type: ignore[union-attr]
    adjusted = holm(p_values)  # type: ignore[arg-type]
    out = list(results)
    for index, p_holm in zip(family, adjusted, strict=True):
        comparison = results[index].gate_comparison
        assert comparison is not None and comparison.delta is not None
        out[index] = results[index].model_copy(
            update={
                "gate_comparison": comparison.model_copy(
                    update={
                        "p_holm": p_holm,
                        "comparisons": len(family),
                        "verdict_adjusted": adjusted_verdict(comparison.delta, p_holm),
                    }
                )
            }
        )
    return out
