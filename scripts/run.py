"""`make run`: migrate, load the demo data, start web + worker + beat, print where to go.

Runs under scripts/services.py, which provides DATABASE_URL and CELERY_BROKER_URL. Ctrl-C stops
everything it started. `--smoke` starts everything, waits until the web page and a worker answer,
then stops (used by the test suite to prove the bootstrap works)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return s.getsockname()[1]
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def manage(*args: str, env: dict, capture: bool = False) -> str:
    """Run a management command; with `capture`, its output is returned instead of printed (the
    demo's payment link must come after the server's URL, once the server answers)."""
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout or ""


def client_link(seed_output: str) -> str:
    """The demo invoice's payment page, from the line `seed_invoicing_demo` prints."""
    for line in seed_output.splitlines():
        if line.startswith("Payment page of ") and ": " in line:
            return line.split(": ", 1)[1].strip()
    return ""


def wait_for(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost URL)
                if response.status < 500:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def banner(url: str, client_url: str = "") -> str:
    from_demo = "smartcoop-demo"
    lines = [
        "",
        "=" * 72,
        f"  smartcoop ({os.environ.get('SMARTCOOP_COUNTRY', 'BE')}) is running at {url}/",
        "",
        "  Open first (password for all: " + from_demo + "):",
        f"    member          member@smartcoop.demo       {url}/app/",
        f"    adviser         adviser@smartcoop.demo      {url}/backoffice/  (two-factor code)",
        "    administrator   admin@smartcoop.demo        (staff: two-factor code needed)",
        "    also: payroll@, accountant@, service@smartcoop.demo",
    ]
    if client_url:
        lines += ["", "  A client's payment page (no account, a signed link):", f"    {client_url}"]
    lines += [
        "",
        "  Staff log in with a two-factor code. The demo accounts share one TOTP secret:",
        "    JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP  (add it to any authenticator app)",
        "  or run `make totp` in another terminal to print the current code.",
        "",
        f"  E-mails sent (sign-up confirmations, reminders): {url}/dev/inbox/",
        f"  API docs: {url}/api/docs/    Admin: {url}/admin/",
        "  Stop with Ctrl-C.",
        "=" * 72,
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    smoke = "--smoke" in sys.argv
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.dev")
    env["PYTHONUNBUFFERED"] = "1"
    run_dir = Path(env.get("SMARTCOOP_RUN_DIR", ROOT / ".run"))
    run_dir.mkdir(parents=True, exist_ok=True)
    env.setdefault("SMARTCOOP_DEV_INBOX_DIR", str(run_dir / "mail"))
    port = free_port(int(env.get("PORT", "8000")))
    url = f"http://127.0.0.1:{port}"
    env.setdefault("SMARTCOOP_SITE_URL", url)

    started = time.monotonic()
    manage("migrate", "--no-input", "-v", "0", env=env)
    seeded = manage("seed_demo", env=env, capture=True)
    # The seed's notes (the payment link among them) are shown after the URL, not before it.
    notes = [ln for ln in seeded.splitlines() if ln.strip() and not ln.startswith("Payment page")]
    print("\n".join(f"[seed] {line}" for line in notes), flush=True)
    celery = [PY, "-m", "celery", "-A", "smartcoop", "--quiet"]
    processes = {
        "web": subprocess.Popen(
            [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env
        ),
        "worker": subprocess.Popen(
            [*celery, "worker", "-l", "warning", "--concurrency", "2", "-n", f"worker-{port}@%h"],
            cwd=ROOT,
            env=env,
        ),
        "beat": subprocess.Popen(
            [*celery, "beat", "-l", "warning", "-s", str(run_dir / "celerybeat-schedule")],
            cwd=ROOT,
            env=env,
        ),
    }

    def stop(*_args) -> None:
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in processes.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def interrupted(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    signal.signal(signal.SIGINT, interrupted)
    try:
        if not wait_for(url + "/", 60):
            print("[run] the web server did not answer within 60 s", file=sys.stderr)
            return 1
        print(banner(url, client_link(seeded)), flush=True)
        print(f"[run] ready in {time.monotonic() - started:.1f}s", flush=True)
        if smoke:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                result = subprocess.run(
                    [*celery, "inspect", "ping", "--timeout", "3"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if "pong" in result.stdout:
                    print("[run] smoke: web answers, worker answers", flush=True)
                    return 0
            print("[run] smoke: no worker answered within 60 s", file=sys.stderr)
            return 1
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"[run] {name} stopped (exit {proc.returncode}); stopping the rest.")
                    return proc.returncode or 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n[run] Ctrl-C: stopping web, worker and beat…", flush=True)
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
