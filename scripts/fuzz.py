"""`make fuzz`: schemathesis against the running app, once as HR and once as an engineer.

SPEC §4: no client input produces a 500. This starts gunicorn on a free loopback port against
a throwaway SQLite database holding the demo org, makes an API token for an HR login and an
engineer login with `manage.py drf_create_token`, runs `schemathesis run --checks all` against
/api/schema/ with each token, and counts the answers by status from the HAR report. It exits
non-zero when any answer is a 5xx (schemathesis' other checks are printed, not fatal).

Settings (environment): FUZZ_MAX_EXAMPLES (default 8), FUZZ_MAX_TIME seconds per token
(default 150), FUZZ_SEED, FUZZ_KEEP=1 keeps the work directory.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Demo logins (org/demo.py): one HR business partner, one engineer.
LOGINS = {"hr": "hana", "engineer": "sam"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _token(env: dict[str, str], username: str) -> str:
    # Prints "Generated token <key> for user <username>".
    words = _manage(env, "drf_create_token", username).split()
    return words[words.index("token") + 1]


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s")


def _fuzz(role: str, token: str, schema_url: str, work: Path) -> tuple[int, list[dict]]:
    har = work / f"{role}.har"
    command = [
        str(BIN / "schemathesis"),
        "run",
        schema_url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Token {token}",
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "8"),
        "--max-time",
        os.environ.get("FUZZ_MAX_TIME", "150"),
        # One worker: the throwaway database is SQLite, which serialises writers.
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        "--no-color",
        "--output-truncate",
        "true",
    ]
    if seed := os.environ.get("FUZZ_SEED"):
        command += ["--seed", seed]
    print(f"\n=== schemathesis as {role} ===", flush=True)
    started = time.monotonic()
    log = work / f"{role}.log"
    with log.open("w") as out:
        subprocess.run(command, cwd=work, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    # The summary is the last part of schemathesis' own output.
    print("\n".join(log.read_text().splitlines()[-25:]))
    entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    statuses = Counter(e["response"]["status"] for e in entries)
    errors = [e for e in entries if e["response"]["status"] >= 500]
    print(
        f"--- {role}: {len(entries)} requests in {elapsed:.0f}s; by status: "
        + ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items()))
    )
    for e in errors[:20]:
        request = e["request"]
        body = (request.get("postData") or {}).get("text", "")[:300]
        print(f"  5xx: {e['response']['status']} {request['method']} {request['url']} {body}")
    return len(entries), errors


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="levelhead-fuzz-"))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'fuzz.sqlite3'}",
        "DEBUG": "true",
        "AXES_ENABLED": "false",
        # Let the fuzzer reach the token endpoint's validation, not only its throttle.
        "LOGIN_THROTTLE_RATE": "100000/min",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    print(f"Work directory {work}; loading the demo org", flush=True)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "createcachetable")
    _manage(env, "seed_demo")
    tokens = {role: _token(env, username) for role, username in LOGINS.items()}
    server_log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    schema_url = f"http://127.0.0.1:{port}/api/schema/"
    total, errors = 0, []
    started = time.monotonic()
    try:
        _wait_until_up(schema_url, server)
        for role, token in tokens.items():
            count, found = _fuzz(role, token, schema_url, work)
            total += count
            errors += found
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()
    print(
        f"\nfuzz: {total} requests, {len(errors)} answered 5xx, "
        f"{time.monotonic() - started:.0f}s (logs in {work})"
    )
    if errors:
        print(f"Server tracebacks: {work / 'gunicorn.log'}")
    elif not os.environ.get("FUZZ_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    return 1 if errors or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
