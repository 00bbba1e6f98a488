"""A replay against a store: the initial model from the registry, the data from storage, the
runs logged (``experiment run`` and ``healthpredict replay``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from mlflow import MlflowClient

from pipeline.core import contract
from pipeline.core.errors import PolicyError
from pipeline.data.storage import Storage
from pipeline.evidence import initial_model
from pipeline.models import registry, training
from pipeline.replay import policies
from pipeline.replay.data import load_data
from pipeline.replay.engine import (
    INITIAL_MODEL_KEY,
    PolicyReplay,
    Replayer,
    ReplayResult,
    ScoringModel,
    fast_settings,
    replay_on,
    with_configured,
)
from pipeline.replay.policies import Policy
from pipeline.replay.runs import log_replay


def best_params(run_params: Mapping[str, str]) -> dict[str, float | int]:
    """The search's best hyper-parameters as the training run logged them (``best_*``)."""
    params: dict[str, float | int] = {}
    for name, values in training.SEARCH_SPACE.items():
        text = run_params.get(f"{contract.TrainingParam.BEST_PREFIX}{name}")
        if text is None:
            raise PolicyError(
                f"the initial training run has no {contract.TrainingParam.BEST_PREFIX}{name}"
            )
        params[name] = int(text) if isinstance(values[0], int) else float(text)
    return params


def initial_model_from_store(client: MlflowClient) -> tuple[ScoringModel, dict[str, float | int]]:
    """The initial model (the one the gate scores beside Production: `initial_model`'s rule)
    and its search's best hyper-parameters."""
    version = initial_model.initial_version(client)
    if version is None or not version.run_id:
        raise PolicyError(
            "the store has no model trained on batch 0 — run `healthpredict train-initial`"
        )
    model, preprocessor = registry.load_scoring_pair(client, version)
    params = client.get_run(version.run_id).data.params
    return ScoringModel(INITIAL_MODEL_KEY, model, preprocessor), best_params(params)


def run_replay(
    client: MlflowClient,
    storage: Storage,
    chosen: Sequence[Policy] | None = None,
    *,
    exact_settings: training.TrainingSettings | None = None,
    configured: Policy = policies.CONFIGURED_POLICY,
    gate: str = contract.REPLAY_GATE_STANDARD,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    drift_shares: Mapping[int, float] | None = None,
    initial: tuple[ScoringModel, Mapping[str, float | int]] | None = None,
    on_policy: Callable[[PolicyReplay], None] | None = None,
    seed: int | None = None,
    log: bool = True,
) -> ReplayResult:
    """Replay from storage, starting from the initial model, and log the runs (unless ``log`` is
    off: the DAG replays one policy per task, then logs them all as one replay).

    ``exact_settings`` replays with the pipeline's own search (``--exact``); otherwise the
    initial search's best hyper-parameters are fixed. ``initial`` and ``drift_shares`` skip
    reading what the caller already holds (``experiment run`` passes them). ``seed`` (default:
    the prepared seed) seeds the new models' fits and the newest batch's held-out rows.
    """
    if chosen is None:
        chosen = default_policies(configured)
    replayer = store_replayer(
        client,
        storage,
        exact_settings=exact_settings,
        gate=gate,
        drift_threshold=drift_threshold,
        drift_shares=drift_shares,
        initial=initial,
        seed=seed,
    )
    result = replay_on(replayer, chosen, configured=configured, on_policy=on_policy)
    return replace(result, run_ids=log_replay(client, result)) if log else result


def store_replayer(
    client: MlflowClient,
    storage: Storage,
    *,
    exact_settings: training.TrainingSettings | None = None,
    gate: str = contract.REPLAY_GATE_STANDARD,
    drift_threshold: float = contract.DEFAULT_DRIFT_THRESHOLD,
    drift_shares: Mapping[int, float] | None = None,
    initial: tuple[ScoringModel, Mapping[str, float | int]] | None = None,
    seed: int | None = None,
) -> Replayer:
    """The data from storage and the initial model from the registry, ready to replay."""
    data = load_data(storage, drift_threshold=drift_threshold, drift_shares=drift_shares)
    if seed is not None:
        data = replace(data, seed=seed)
    model, best = initial if initial is not None else initial_model_from_store(client)
    return Replayer(
        data,
        model,
        exact_settings or fast_settings(data.seed),
        fixed_params=None if exact_settings is not None else best,
        gate=gate,
    )


def default_policies(configured: Policy = policies.CONFIGURED_POLICY) -> list[Policy]:
    """The default replay set, with the configured policy among them."""
    return with_configured(policies.DEFAULT_REPLAY, configured)
