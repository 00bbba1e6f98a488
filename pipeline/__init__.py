"""Health Predict's experiment: data, drift checks, training, quality gate, MLflow logging."""

import os

# Before any OpenMP library loads: on a shared 2-core box, spinning OpenMP threads that wait for a
# descheduled sibling made each XGBoost fit 6-10x slower; passive waiting keeps both threads useful.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
