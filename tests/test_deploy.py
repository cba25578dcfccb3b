"""The team deployment (deploy/): Dagster on a real Postgres, the code location over gRPC, and
`offline_refresh` going through the queued run coordinator and the daemon."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from dagster import DagsterEventType

from pipelines import settings
from tests.postgres import free_port, postgres_marks, postgres_server

pytestmark = postgres_marks()
DEPLOY = settings.PROJECT_ROOT / "deploy"
BIN = Path(sys.executable).parent
RUN_TIMEOUT_S = 480  # about a minute alone on 2 cores; generous for a loaded machine


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("wb")
    return subprocess.Popen(
        command, cwd=settings.PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # the daemon's threads can be slow to stop
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _wait_for_code_server(env: dict, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the code server exited:\n{log.read_text()[-3000:]}"
        probe = subprocess.run(
            [str(BIN / "dagster"), "api", "grpc-health-check", "-p", env["DAGSTER_CODE_SERVER_PORT"]],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if probe.returncode == 0:
            return
        time.sleep(2)
    pytest.fail(f"the code server did not answer within 120 s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Postgres, DAGSTER_HOME with deploy/dagster.yaml, and the code location's gRPC server."""
    home = tmp_path_factory.mktemp("dagster_home_pg")
    logs = tmp_path_factory.mktemp("deploy-logs")
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    with postgres_server() as server:
        env = {
            **os.environ,
            **server.env(),
            "DAGSTER_HOME": str(home),
            "TRACKER_BUILD_DIR": str(tmp_path_factory.mktemp("deploy-build")),
            "DAGSTER_CODE_SERVER_HOST": "127.0.0.1",
            "DAGSTER_CODE_SERVER_PORT": str(free_port()),
        }
        code_server = _start(
            [str(BIN / "dagster"), "code-server", "start", "-m", "pipelines.definitions",
             "--location-name", "jiscoop", "-h", "127.0.0.1", "-p", env["DAGSTER_CODE_SERVER_PORT"]],
            env, logs / "code-server.log",
        )  # fmt: skip
        try:
            _wait_for_code_server(env, code_server, logs / "code-server.log")
            yield {"server": server, "env": env, "logs": logs}
        finally:
            _stop(code_server)


def test_the_deploy_workspace_validates_over_grpc(deployment):
    result = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", str(DEPLOY / "workspace.yaml")],
        cwd=settings.PROJECT_ROOT, env=deployment["env"], capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "jiscoop" in output


def _events(cursor, run_id: str, event_type: DagsterEventType) -> list[str | None]:
    cursor.execute(
        "SELECT asset_key FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
        (run_id, event_type.value),
    )
    return [row[0] for row in cursor.fetchall()]


def test_offline_refresh_runs_through_the_queue_and_daemon_into_postgres(deployment):
    from pipelines.definitions import defs

    env, logs, server = deployment["env"], deployment["logs"], deployment["server"]
    daemon = _start(
        [str(BIN / "dagster-daemon"), "run", "-w", str(DEPLOY / "workspace.yaml")],
        env, logs / "daemon.log",
    )  # fmt: skip
    run_id = str(uuid.uuid4())
    try:
        launch = subprocess.run(
            [str(BIN / "dagster"), "job", "launch", "-w", str(DEPLOY / "workspace.yaml"),
             "-j", "offline_refresh", "--run-id", run_id],
            cwd=settings.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert launch.returncode == 0, launch.stdout + launch.stderr
        connection = server.connect()
        connection.autocommit = True
        cursor = connection.cursor()
        status, deadline = None, time.monotonic() + RUN_TIMEOUT_S
        while time.monotonic() < deadline:
            cursor.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,))
            row = cursor.fetchone()
            status = row[0] if row else None
            if status in {"SUCCESS", "FAILURE", "CANCELED"}:
                break
            assert daemon.poll() is None, (logs / "daemon.log").read_text()[-3000:]
            time.sleep(2)
        cursor.execute(
            "SELECT event FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
            (run_id, DagsterEventType.STEP_FAILURE.value),
        )
        failures = [json.loads(row[0]).get("user_message", "")[:500] for row in cursor.fetchall()]
        assert status == "SUCCESS", (
            f"run {run_id} ended {status} after at most {RUN_TIMEOUT_S} s; step failures: {failures}"
            f"\ndaemon log:\n{(logs / 'daemon.log').read_text()[-3000:]}"
        )

        # It went through the queue: enqueued by the launch, then started by the daemon's dequeue.
        cursor.execute(
            "SELECT dagster_event_type FROM event_logs WHERE run_id = %s"
            " AND dagster_event_type IN (%s, %s) ORDER BY id",
            (run_id, DagsterEventType.RUN_ENQUEUED.value, DagsterEventType.RUN_STARTING.value),
        )
        assert [row[0] for row in cursor.fetchall()] == [
            DagsterEventType.RUN_ENQUEUED.value,
            DagsterEventType.RUN_STARTING.value,
        ]
        assert "Launched 1 runs" in (logs / "daemon.log").read_text()

        layer = defs.resolve_job_def("offline_refresh").asset_layer
        expected_assets = {key.to_user_string() for key in layer.selected_asset_keys}
        materialized = {
            "/".join(json.loads(key))
            for key in _events(cursor, run_id, DagsterEventType.ASSET_MATERIALIZATION)
        }
        assert materialized == expected_assets

        expected_checks = {
            (key.asset_key.to_user_string(), key.name)
            for key in layer.asset_graph.asset_check_keys
            if key.asset_key in layer.selected_asset_keys
        }
        cursor.execute(
            "SELECT asset_key, check_name, execution_status FROM asset_check_executions"
            " WHERE run_id = %s",
            (run_id,),
        )
        executions = cursor.fetchall()
        evaluated = {("/".join(json.loads(key)), name) for key, name, _ in executions}
        assert expected_checks and evaluated == expected_checks
        assert len(_events(cursor, run_id, DagsterEventType.ASSET_CHECK_EVALUATION)) == len(
            expected_checks
        )
        # Every check reached a verdict in this run; none was left planned or skipped.
        assert {status for _, _, status in executions} <= {"SUCCEEDED", "FAILED"}
        connection.close()
    finally:
        _stop(daemon)
