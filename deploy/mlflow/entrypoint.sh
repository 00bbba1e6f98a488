#!/bin/sh
# Start the MLflow tracking server from the environment compose passes in. The backend store is
# PostgreSQL, artifacts are proxied (--serve-artifacts) to MinIO, so clients need no S3 access
# for artifacts; only the server holds the MinIO credentials for them.
set -eu

: "${MLFLOW_BACKEND_STORE_URI:?set MLFLOW_BACKEND_STORE_URI (postgresql+psycopg2://user:password@host:5432/db)}"
: "${MLFLOW_ARTIFACTS_DESTINATION:=s3://mlflow/artifacts}"
: "${MLFLOW_ALLOWED_HOSTS:=mlflow,mlflow:5000,localhost,localhost:5000,127.0.0.1,127.0.0.1:5000}"
: "${MLFLOW_WORKERS:=2}"
# The job runner (MLflow 3's background jobs) is not used here and needs extra services.
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION="${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}"

exec mlflow server \
    --host 0.0.0.0 \
    --port 5000 \
    --workers "$MLFLOW_WORKERS" \
    --backend-store-uri "$MLFLOW_BACKEND_STORE_URI" \
    --serve-artifacts \
    --artifacts-destination "$MLFLOW_ARTIFACTS_DESTINATION" \
    --allowed-hosts "$MLFLOW_ALLOWED_HOSTS"
