#!/bin/sh
# One-shot job (minio/mc image): create the buckets the deployment writes to, if missing.
#   mlflow              MLflow artifacts (models, ROC curves, drift reports)
#   healthpredict-data  the pipeline's storage: processed_data/, drift_monitoring/
set -eu

: "${MINIO_ROOT_USER:?set MINIO_ROOT_USER}"
: "${MINIO_ROOT_PASSWORD:?set MINIO_ROOT_PASSWORD}"
: "${MINIO_URL:=http://minio:9000}"
: "${MLFLOW_BUCKET:=mlflow}"
: "${DATA_BUCKET:=healthpredict-data}"

mc alias set local "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
for bucket in "$MLFLOW_BUCKET" "$DATA_BUCKET"; do
    mc mb --ignore-existing "local/$bucket"
done
mc ls local
