"""A replayed policy's name in plain words, for the page (pure).

The code name (``drift:recent_weighted:initial``) stays beside it as the exact reference; this
is how a reader who never saw the code learns what the policy does. Unknown names (a store
written by a newer pipeline) fall back to the code name, so nothing is invented.
"""

from __future__ import annotations

from typing import Final

TRIGGERS: Final = {
    "never": "Never retrain",
    "always": "Retrain on every batch",
    "drift": "Retrain on drift",
    "performance": "Retrain when Production's AUC drops",
    "estimated_performance": "Retrain when the estimated AUC drops (no labels)",
}
TRAINING: Final = {
    "all_data": "on all data so far",
    "recent_weighted": "newest batch weighted half",
    "window": "on the last two batches only",
}
VALIDATION: Final = {
    "initial": "",
    "newest": "checked on the newest batch",
}


GATES: Final = {
    "standard": "",
    "above_chance": "never deploying a model no better than chance",
    "strict": "strict gate (deploy only when shown non-inferior and above chance)",
}


def policy_title(
    trigger: str | None, training: str | None, validation: str | None, gate: str | None = None
) -> str | None:
    """``Retrain on drift, newest batch weighted half``; None when a part has no words."""
    if trigger not in TRIGGERS:
        return None
    if trigger == "never" or training in (None, "", "none"):
        return TRIGGERS[trigger]
    if training not in TRAINING or (validation or "initial") not in VALIDATION:
        return None
    if (gate or "standard") not in GATES:
        return None
    parts = [
        TRIGGERS[trigger],
        TRAINING[training],
        VALIDATION[validation or "initial"],
        GATES[gate or "standard"],
    ]
    return ", ".join(part for part in parts if part)
