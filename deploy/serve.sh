#!/usr/bin/env bash
# One host, the production topology: the code location's gRPC server, the webserver and the
# daemon as three processes sharing one Dagster instance. `make serve` runs this script.
#   DAGSTER_PG_HOST set   -> the instance is deploy/dagster.yaml (Postgres, queued runs)
#   otherwise             -> the local SQLite instance of `make dev` (dagster.yaml)
# Ctrl-C (or SIGTERM) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export DAGSTER_CODE_SERVER_HOST=${DAGSTER_CODE_SERVER_HOST:-127.0.0.1}
export DAGSTER_CODE_SERVER_PORT=${DAGSTER_CODE_SERVER_PORT:-4266}
WEB_HOST=${DAGSTER_WEBSERVER_HOST:-127.0.0.1}
WEB_PORT=${DAGSTER_WEBSERVER_PORT:-3000}

if [[ -n "${DAGSTER_PG_HOST:-}" ]]; then
  for var in DAGSTER_PG_PORT DAGSTER_PG_USER DAGSTER_PG_PASSWORD DAGSTER_PG_DB; do
    [[ -n "${!var:-}" ]] || { echo "serve: DAGSTER_PG_HOST is set but $var is not" >&2; exit 2; }
  done
  export DAGSTER_HOME=${DAGSTER_HOME_PG:-$PWD/build/dagster_home_pg}
  mkdir -p "$DAGSTER_HOME"
  cp deploy/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
  echo "serve: Postgres instance at $DAGSTER_PG_HOST:$DAGSTER_PG_PORT/$DAGSTER_PG_DB"
else
  export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/build/dagster_home}
  mkdir -p "$DAGSTER_HOME"
  cp dagster.yaml "$DAGSTER_HOME/dagster.yaml"
  echo "serve: local SQLite instance in $DAGSTER_HOME (set DAGSTER_PG_* for Postgres)"
fi

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait || true; }
trap stop INT TERM EXIT

"$BIN/dagster" code-server start -m pipelines.definitions --location-name jiscoop \
  -h "$DAGSTER_CODE_SERVER_HOST" -p "$DAGSTER_CODE_SERVER_PORT" &
pids+=($!)
"$BIN/dagster-webserver" -w deploy/workspace.yaml -h "$WEB_HOST" -p "$WEB_PORT" &
pids+=($!)
"$BIN/dagster-daemon" run -w deploy/workspace.yaml &
pids+=($!)
echo "serve: UI on http://$WEB_HOST:$WEB_PORT; schedules and sensors run (their default status is RUNNING)"
# Any one of the three exiting stops the others: a half-running deployment misleads.
wait -n
