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
stop() {
  trap - INT TERM EXIT
  # The code server runs in its own process group with the process that loads the code:
  # signal the group. It can be slow to stop: 30 s, then everything left is killed.
  kill -- "-${pids[0]}" "${pids[@]:1}" 2>/dev/null || true
  for _ in $(seq 30); do
    kill -0 -- "-${pids[0]}" "${pids[@]:1}" 2>/dev/null || break
    sleep 1
  done
  kill -9 -- "-${pids[0]}" "${pids[@]:1}" 2>/dev/null || true
  wait || true
}
trap stop INT TERM EXIT

setsid "$BIN/dagster" code-server start -m pipelines.definitions --location-name jiscoop \
  -h "$DAGSTER_CODE_SERVER_HOST" -p "$DAGSTER_CODE_SERVER_PORT" &
pids+=($!)
# The webserver and daemon load the workspace when they start: wait until the code answers.
for attempt in $(seq 120); do
  "$BIN/dagster" api grpc-health-check -h "$DAGSTER_CODE_SERVER_HOST" -p "$DAGSTER_CODE_SERVER_PORT" \
    >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "serve: the code server exited" >&2; exit 1; }
  [[ $attempt == 120 ]] && { echo "serve: the code server did not answer in 240 s" >&2; exit 1; }
  sleep 2
done
"$BIN/dagster-webserver" -w deploy/workspace.yaml -h "$WEB_HOST" -p "$WEB_PORT" &
pids+=($!)
"$BIN/dagster-daemon" run -w deploy/workspace.yaml &
pids+=($!)
echo "serve: UI on http://$WEB_HOST:$WEB_PORT; schedules and sensors run (their default status is RUNNING)"
# Any one of the three exiting stops the others: a half-running deployment misleads.
wait -n
