"""What other retraining policies would have done: replay batches 1-5 from the initial model.

``policies`` (the registered triggers and training policies), ``data`` (what a replay reads),
``engine`` (the replay itself, pure computation), ``runs`` (logging it to MLflow), ``fidelity``
(an exact replay against the pipeline's own gate runs) and ``run`` (all of it against a store).
"""

from pipeline.replay.data import ReplayData, load_data
from pipeline.replay.engine import (
    INITIAL_MODEL_KEY,
    BatchStep,
    PolicyReplay,
    Replayer,
    ReplayResult,
    ScoringModel,
    fast_settings,
    gate_decision,
    replay,
    with_configured,
)
from pipeline.replay.fidelity import Fidelity, compare_with_pipeline
from pipeline.replay.run import (
    best_params,
    default_policies,
    initial_model_from_store,
    run_replay,
)
from pipeline.replay.runs import fixed_params_text, log_replay

__all__ = [
    "INITIAL_MODEL_KEY",
    "BatchStep",
    "Fidelity",
    "PolicyReplay",
    "ReplayData",
    "ReplayResult",
    "Replayer",
    "ScoringModel",
    "best_params",
    "compare_with_pipeline",
    "default_policies",
    "fast_settings",
    "fixed_params_text",
    "gate_decision",
    "initial_model_from_store",
    "load_data",
    "log_replay",
    "replay",
    "run_replay",
    "with_configured",
]
