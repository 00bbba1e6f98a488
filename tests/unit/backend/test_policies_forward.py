"""GET /policies: the forward-in-time paired comparison, read from a real MLflow store written by
the replay's own writer, with Holm's adjustment and the verdict words worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from pipeline import replay
from pipeline.core import contract
from pipeline.core.contract import Decision
from pipeline.core.stats import auc_with_ci
from pipeline.replay import forward
from pipeline.replay.policies import Policy
from tests.support.report_stores import AppFactory, StoreBuilder

RNG = np.random.default_rng(11)
BATCHES = (1, 2, 3, 4, 5)
LABELS = {b: RNG.integers(0, 2, 300) for b in BATCHES}
GOOD = {b: LABELS[b] * 0.8 + RNG.uniform(0, 1, 300) for b in BATCHES}
NOISE = {b: RNG.uniform(0, 1, 300) for b in BATCHES}
NUDGED = {b: LABELS[b] * 0.8 + RNG.uniform(0, 1, 300) for b in BATCHES}  # as good


def policy(label: str, scores: dict[int, np.ndarray], configured: bool) -> replay.PolicyReplay:
    steps = []
    for b in BATCHES:
        estimate = auc_with_ci(LABELS[b], scores[b])
        steps.append(
            replay.BatchStep(
                b,
                Decision.SKIP_NO_DRIFT,
                False,
                False,
                estimate,
                None,
                scores[b],
                forward=estimate,
                forward_scores=scores[b],
                labels=LABELS[b],
            )
        )
    return replay.PolicyReplay(Policy.parse(label), steps, 0.0, configured)


RESULTS = [
    policy("never", NOISE, False),
    policy("always:all_data:initial", NUDGED, False),
    policy("drift:all_data:initial", GOOD, True),
]


def test_holm_verdicts_and_the_note(store: StoreBuilder, make_client: AppFactory):
    replay.log_replay(
        store.client,
        replay.ReplayResult("fwd", 42, None, contract.REPLAY_GATE_STANDARD, 0.3, RESULTS, 1.0),
    )
    body = make_client(store.tracking_uri).get("/policies").json()
    assert body["forward_recorded"] is True
    by_label = {p["label"]: p for p in body["policies"]}

    # expected raw p: two-sided normal from the pipeline's own mean and variance (scipy)
    compared = forward.compare(RESULTS)
    raw = {
        label: 2 * norm.sf(abs(c.mean_vs_configured.mean) / np.sqrt(c.mean_vs_configured.variance))
        for label, c in compared.items()
        if label != "drift:all_data:initial"
    }
    small, large = sorted(raw, key=raw.get)  # type: ignore[arg-type]
    holm = {small: min(1, 2 * raw[small]), large: max(min(1, 2 * raw[small]), raw[large])}
    for label in raw:
        assert by_label[label]["p_value"] == pytest.approx(raw[label], rel=1e-3, abs=1e-12)
        assert by_label[label]["p_holm"] == pytest.approx(holm[label], rel=1e-3, abs=1e-12)

    never = by_label["never"]
    assert never["verdict_vs_configured"] == "worse"  # noise against an informative model
    assert never["mean_delta_vs_configured"] < 0 and never["mean_delta_ci_high"] < 0
    assert [s["batch"] for s in never["forward"]] == [1, 2, 3, 4, 5]
    assert [s["step"] for s in never["forward"]] == [0, 1, 2, 3, 4]
    assert by_label["always:all_data:initial"]["verdict_vs_configured"] == "inconclusive"
    assert by_label["drift:all_data:initial"]["verdict_vs_configured"] == "reference"
    note = body["notes"][-1]
    assert "paired with drift:all_data:initial" in note
    assert "after Holm's adjustment across 2 comparisons" in note
    assert "never worse (mean " in note
    assert "every other comparison is inconclusive" in note


def test_an_older_replay_without_forward_figures_says_what_was_not_recorded(
    store: StoreBuilder, make_client: AppFactory
):
    bare = [
        replay.PolicyReplay(
            r.policy,
            [
                replay.BatchStep(s.batch, s.decision, False, False, s.auc, None, s.scores)
                for s in r.steps
            ],
            0.0,
            r.configured,
        )
        for r in RESULTS
    ]
    replay.log_replay(
        store.client,
        replay.ReplayResult("old", 42, None, contract.REPLAY_GATE_STANDARD, 0.3, bare, 1.0),
    )
    body = make_client(store.tracking_uri).get("/policies").json()
    assert body["forward_recorded"] is False
    assert all(p["forward"] == [] and p["verdict_vs_configured"] is None for p in body["policies"])
    assert any("did not record the forward-in-time paired comparison" in n for n in body["notes"])


@pytest.mark.parametrize(
    ("trigger", "training", "validation", "title"),
    [
        ("never", "none", "initial", "Never retrain"),
        ("drift", "recent_weighted", "initial", "Retrain on drift, newest batch weighted half"),
        (
            "drift",
            "window",
            "newest",
            "Retrain on drift, on the last two batches only, checked on the newest batch",
        ),
        ("always", "all_data", "initial", "Retrain on every batch, on all data so far"),
        ("someday", "all_data", "initial", None),  # a name it does not know: no invented words
    ],
)
def test_policies_are_named_in_plain_words(trigger, training, validation, title):
    from backend.policy_words import policy_title

    assert policy_title(trigger, training, validation) == title
