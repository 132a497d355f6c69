#!/usr/bin/env bash
# Start a PostgreSQL server for the journal's integration tests and print the URL to use.
#
#   eval "$(.ci/postgres.sh)"     # exports DOSEWISE_TEST_POSTGRES_URL
#
# Runs as root in a fresh Debian container: installs Debian's `postgresql` with apt if it is
# missing, starts the default cluster listening on 127.0.0.1 only, and creates a role that may
# create databases (each test makes its own database and drops it). Idempotent: running it again
# reuses the cluster, the role and the password. Everything it says goes to stderr except the
# export line.
set -euo pipefail

PORT="${DOSEWISE_PG_PORT:-5432}"
ROLE="${DOSEWISE_PG_ROLE:-dosewise}"
PASSWORD="${DOSEWISE_PG_PASSWORD:-dosewise-test}"
DATABASE="${DOSEWISE_PG_DATABASE:-dosewise_test}"

log() { echo "== postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs packages and starts a system cluster)"
  exit 1
fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing postgresql (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
CLUSTER=main
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"; then
  log "creating cluster $VERSION/$CLUSTER"
  pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >&2
fi
CONF="/etc/postgresql/$VERSION/$CLUSTER"
# Listen on the loopback interface only, on the chosen port.
sed -i "s/^#\?listen_addresses.*/listen_addresses = '127.0.0.1'/" "$CONF/postgresql.conf"
sed -i "s/^#\?port = .*/port = $PORT/" "$CONF/postgresql.conf"
if ! grep -q "dosewise-ci" "$CONF/pg_hba.conf"; then
  echo "host all $ROLE 127.0.0.1/32 scram-sha-256 # dosewise-ci" >> "$CONF/pg_hba.conf"
fi

STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}')"
if [ "$STATUS" = "online" ]; then
  pg_ctlcluster "$VERSION" "$CLUSTER" reload >&2
else
  log "starting cluster $VERSION/$CLUSTER on 127.0.0.1:$PORT"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

for _ in $(seq 1 30); do
  if su postgres -c "psql -p $PORT -Atqc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

psql_admin() { su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -Atq" >&2; }
psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE "$ROLE" LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE "$ROLE" LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END
\$\$;
SQL
if ! su postgres -c "psql -p $PORT -Atqc \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"" | grep -q 1; then
  su postgres -c "createdb -p $PORT -O $ROLE $DATABASE" >&2
fi

log "ready"
echo "export DOSEWISE_TEST_POSTGRES_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
