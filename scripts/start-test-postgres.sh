#!/usr/bin/env bash
# Start a local PostgreSQL cluster (installing Debian's package when missing) with an empty
# database `mlflow` (or $HEALTHPREDICT_PG_DATABASE), and print its SQLAlchemy URI on stdout. Run
# as root. Used by .ci/run for the distributed test (MLflow server on PostgreSQL) and by the fault
# bench (a database of its own, fresh on every run); everything else goes to stderr and $LOG_DIR.
set -euo pipefail

LOG_DIR="${LOG_DIR:-${TMPDIR:-/tmp}/healthpredict-ci}"
DB_USER=healthpredict
DB_PASSWORD=healthpredict
DB_NAME="${HEALTHPREDICT_PG_DATABASE:-mlflow}"
if [[ ! "$DB_NAME" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "postgres: HEALTHPREDICT_PG_DATABASE must be a lower-case SQL name (a-z, 0-9, _), got '$DB_NAME'" >&2
    exit 2
fi
mkdir -p "$LOG_DIR"

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "postgres: installing Debian's postgresql (log: $LOG_DIR/apt-postgresql.log)" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
        >"$LOG_DIR/apt-postgresql.log" 2>&1; then
        tail -n 20 "$LOG_DIR/apt-postgresql.log" >&2
        exit 1
    fi
fi

cluster_line() { pg_lsclusters --no-header | head -n 1; }
if [ -z "$(cluster_line)" ]; then
    version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf "%f\n" | sort -V | tail -n 1)
    pg_createcluster "$version" main >"$LOG_DIR/pg-createcluster.log" 2>&1
fi
read -r version cluster port status _ <<<"$(cluster_line)"
if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" "$cluster" start >&2
fi

# A fresh database on every call: an earlier run's MLflow runs must not leak into this one.
(cd / && su postgres -c "psql -q -X -v ON_ERROR_STOP=1 -p $port") >"$LOG_DIR/pg-setup.log" 2>&1 <<SQL || {
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE);
CREATE DATABASE $DB_NAME OWNER $DB_USER;
-- A second login whose name and password hold every character a URI parser can trip on
-- (tests/integration/backend/test_postgres_credentials.py).
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hp ü:ser') THEN
    CREATE ROLE "hp ü:ser" LOGIN PASSWORD 'Pg/S3#c?r@t %é:x';
  END IF;
END \$\$;
GRANT $DB_USER TO "hp ü:ser";
-- its sessions act as $DB_USER, so the tables MLflow creates through it belong to $DB_USER
ALTER ROLE "hp ü:ser" SET role = '$DB_USER';
SQL
    echo "postgres: creating the database failed; $LOG_DIR/pg-setup.log says:" >&2
    cat "$LOG_DIR/pg-setup.log" >&2
    exit 1
}
# The MLflow server image uses psycopg2; the API and pipeline also take a bare postgresql:// (psycopg 3).
echo "postgresql+psycopg2://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
