#!/bin/sh
# Airflow's metadata database and user beside MLflow's, created on the volume's first start
# (docker-entrypoint-initdb.d runs only then).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE USER "$AIRFLOW_DB_USER" WITH PASSWORD '$AIRFLOW_DB_PASSWORD';
CREATE DATABASE "$AIRFLOW_DB" OWNER "$AIRFLOW_DB_USER";
SQL
