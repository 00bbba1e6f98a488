"""What the user may choose about training and its gate; the seed comes from the manifest."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core import contract
from pipeline.data.manifest import Manifest
from pipeline.models import training
from pipeline.models.training import TrainingSettings
from pipeline.replay import policies


@dataclass(frozen=True)
class TrainingOptions:
    """The search size, the refit, the training policy with its validation data, the gate rule."""

    n_trials: int = training.DEFAULT_N_TRIALS
    refit_on_validation: bool = True
    training_policy: str = policies.CONFIGURED_POLICY.training_policy
    validation_data: str = policies.CONFIGURED_POLICY.validation
    gate_rule: str = contract.GATE_RULE_STANDARD

    @property
    def policy(self) -> policies.Policy:
        """The policy the pipeline runs: the drift trigger with this training policy."""
        return policies.Policy(
            policies.CONFIGURED_POLICY.trigger, self.training_policy, self.validation_data
        )

    def settings(self, manifest: Manifest) -> TrainingSettings:
        return TrainingSettings(
            seed=manifest.seed,
            n_trials=self.n_trials,
            refit_on_validation=self.refit_on_validation,
        )
