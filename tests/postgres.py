"""A real PostgreSQL server for tests: Debian's package, started in a temporary folder."""

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

DEBIAN_ROOT = Path("/usr/lib/postgresql")


def postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian keeps them off PATH, one folder per version."""
    versions = sorted(DEBIAN_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def postgres_marks() -> list:
    """Postgres tests run wherever the server is; in CI its absence is an error, not a skip."""
    if postgres_bin() is not None:
        return [pytest.mark.postgres]
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI needs PostgreSQL for the deployment tests: `make postgres` installs it"
        )
    return [
        pytest.mark.postgres,
        pytest.mark.skip(reason="postgresql is not installed (make postgres)"),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    db: str

    def env(self) -> dict[str, str]:
        """The variables deploy/dagster.yaml reads its connection from."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.db,
        }

    def connect(self):
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=self.db
        )


@contextmanager
def postgres_server(db: str = "dagster") -> Iterator[Server]:
    """initdb + pg_ctl on a free loopback port, password authentication; stopped and removed after."""
    import psycopg2

    bin_dir = postgres_bin()
    assert bin_dir is not None, "postgresql is not installed (make postgres)"
    # Not under pytest's tmp folder: that one is private to root, and the server may not run as root.
    root = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    password = secrets.token_urlsafe(18)
    (root / "pwfile").write_text(password + "\n")
    as_owner: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root: the package's system user runs it
        owner = pwd.getpwnam("postgres")
        for path in (root, sockets, root / "pwfile"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    started = False
    try:
        subprocess.run(
            [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster",
             f"--pwfile={root / 'pwfile'}", "--auth=scram-sha-256", "-E", "UTF8", "--no-locale",
             "--no-sync"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
             "-w", "-t", "60", "start"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        started = True
        admin = psycopg2.connect(
            host="127.0.0.1", port=port, user="dagster", password=password, dbname="postgres"
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{db}"')
        admin.close()
        yield Server("127.0.0.1", port, "dagster", password, db)
    except subprocess.CalledProcessError as error:
        server_log = log.read_text() if log.exists() else ""
        raise RuntimeError(f"postgres failed: {error.stderr}\n{server_log}") from error
    finally:
        if started:
            subprocess.run(
                [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
