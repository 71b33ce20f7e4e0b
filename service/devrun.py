"""``make run``: a private Redis under var/, demo staff, and the service on 127.0.0.1:8000.

Demo mode only. The master key is kept in var/master.key so chats survive a restart; the
demo accounts' passwords and TOTP secrets are kept in var/demo-staff.json so that
``make codes`` can print the current login codes. Ctrl-C stops everything started here.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

from security.totp import TOTP_STEP_SECS

ROOT: Final = Path(__file__).resolve().parent.parent
VAR: Final = ROOT / "var"
REDIS_PORT: Final = 6390
DEMO_STAFF: Final = (
    ("demo-counsellor", "counsellor", "Sam"),
    ("demo-supervisor", "supervisor", "Alex"),
)


def _master_key_file() -> Path:
    path = VAR / "master.key"
    if not path.exists():
        path.write_text(base64.b64encode(os.urandom(32)).decode())
        path.chmod(0o600)
    return path


def _start_redis() -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is missing: run `sudo apt-get install redis-server`")
    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--save",
            "60 1",
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return proc


def _current_code(secret_b32: str) -> str:
    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    secret = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    # RFC 6238 TOTP is HMAC-SHA1, which is what authenticator apps compute.
    totp = TOTP(secret, 6, SHA1(), TOTP_STEP_SECS, enforce_key_length=False)  # noqa: S303
    return totp.generate(time.time()).decode()


def _ensure_demo_staff(env: dict[str, str]) -> dict[str, dict[str, str]]:
    path = VAR / "demo-staff.json"
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    for username, role, name in DEMO_STAFF:
        if username in known:
            continue
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "service.cli",
                "users",
                "add",
                username,
                "--role",
                role,
                "--name",
                name,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stderr.strip(), file=sys.stderr)
            continue
        lines = dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)
        secret = lines["totp"].split("secret=", 1)[1].split("&", 1)[0]
        known[username] = {"password": lines["password"], "secret": secret, "role": role}
    path.write_text(json.dumps(known, indent=2))
    path.chmod(0o600)
    return known


def _seed_directory(env: dict[str, str]) -> None:
    """The shipped Stockholm directory, once, so referrals work in the demo."""
    marker = VAR / "directory-seeded"
    if marker.exists():
        return
    seed = ROOT / "counsellor_console" / "data" / "directory_stockholm.csv"
    cmd = [sys.executable, "-m", "service.cli", "directory", "import", str(seed)]
    if subprocess.run(cmd, env=env, check=False).returncode == 0:
        marker.touch()


def print_codes() -> None:
    path = VAR / "demo-staff.json"
    if not path.exists():
        sys.exit("no demo staff yet: run `make run` first")
    for username, entry in json.loads(path.read_text()).items():
        code = _current_code(entry["secret"])
        print(f"{username:18} password: {entry['password']}   code now: {code}")


def main() -> None:
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    redis_proc = None
    if not env.get("REDIS_URL"):
        redis_proc = _start_redis()
        env["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if not env.get("FRISTAD_MASTER_KEY") and not env.get("FRISTAD_MASTER_KEY_FILE"):
        env["FRISTAD_MASTER_KEY_FILE"] = str(_master_key_file())
    staff = _ensure_demo_staff(env)
    _seed_directory(env)
    print("\nFristad (demo) on http://127.0.0.1:8000  (visitor page)")
    print("Staff console: http://127.0.0.1:8000/console/login")
    for username, entry in staff.items():
        code = _current_code(entry["secret"])
        print(f"  {username:18} password: {entry['password']}   code now: {code}")
    print("Login codes change every 30 s: `make codes` prints the current ones.\n")
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", "8000"],
        env=env,
    )
    signal.signal(signal.SIGTERM, lambda *_: server.send_signal(signal.SIGINT))
    try:
        server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(timeout=10)


if __name__ == "__main__":
    if sys.argv[1:] == ["codes"]:
        print_codes()
    else:
        main()
