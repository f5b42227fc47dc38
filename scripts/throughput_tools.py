"""Process, HTTP and wrk helpers for scripts/throughput.py (`make bench-throughput`)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "levelhead-demo"  # demo/org.py DEMO_PASSWORD


def log(message: str) -> None:
    print(message, flush=True)


def timer() -> Any:
    """A function that returns the time since it was last called (or made), as text."""
    last = [time.monotonic()]

    def took() -> str:
        now = time.monotonic()
        elapsed, last[0] = now - last[0], now
        return f"{elapsed:.0f} s"

    return took


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# --- processes --------------------------------------------------------------------------


class Processes:
    """Every long-running process this script starts, stopped in ``stop_all``."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.running: list[subprocess.Popen[bytes]] = []

    def gunicorn(self, name: str, chdir: Path, app: str, env: dict[str, str]) -> tuple[Any, int]:
        port = free_port()
        out = (self.work / f"{name}.log").open("ab")
        server = subprocess.Popen(
            # The same command line for Levelhead and the hello world: 2 sync workers.
            [
                str(BIN / "gunicorn"),
                "--chdir",
                str(chdir),
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--no-control-socket",
                app,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(server)
        return server, port

    def stop(self, server: subprocess.Popen[bytes]) -> None:
        if server.poll() is None:
            server.terminate()  # gunicorn's master stops its workers gracefully
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if server in self.running:
            self.running.remove(server)

    def stop_all(self) -> None:
        for server in list(self.running):
            self.stop(server)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def collect_static(env: dict[str, str]) -> None:
    """collectstatic, unless a dry run finds nothing to copy and the manifest is complete.

    Compressing every file again (WhiteNoise: gzip and Brotli) takes about a minute; the
    result would be the same files. The manifest is written after every copied and hashed
    file, so one older than any of them means an interrupted run: collect again.
    """
    dry = manage(env, "collectstatic", "--noinput", "--dry-run")
    root, manifest = ROOT / "staticfiles", ROOT / "staticfiles" / "staticfiles.json"
    if re.search(r"^0 static files copied", dry, re.M) and manifest.exists():
        newest = max(
            (
                f.stat().st_mtime
                for f in root.rglob("*")
                if f.is_file() and f != manifest and f.suffix not in (".gz", ".br")
            ),
            default=0.0,
        )
        if newest <= manifest.stat().st_mtime:
            log("  static files: already collected, nothing modified (collectstatic --dry-run)")
            return
    manage(env, "collectstatic", "--noinput", "-v0")


def django_mode(env: dict[str, str], mode: str, payload: Any = None) -> Any:
    """Runs scripts/throughput.py's ``--django <mode>`` in a process with ``env``'s settings."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("throughput.py")), "--django", mode],
        cwd=ROOT,
        env=env,
        input=json.dumps(payload),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"--django {mode} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} exited before it answered (see its log)")
        if fetch(url, {})[0] == 200:
            return
        time.sleep(0.3)
    raise SystemExit(f"{what} did not answer {url} within 60 s")


def worker_rss(master: subprocess.Popen[bytes]) -> dict[int, int]:
    """VmRSS in KiB of each worker (the children of gunicorn's master process)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master.pid:
            pids.append(int(stat.parent.name))
    rss = {}
    for pid in sorted(pids):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    return rss


# --- database and cache -----------------------------------------------------------------


def prepare_database(work: Path, name: str) -> tuple[str, str]:
    """(DATABASE_URL of a fresh, empty database, its vendor)."""
    wanted = os.environ.get("DATABASE_URL", "")
    if not wanted.startswith(("postgres://", "postgresql://", "pgsql://")):
        if wanted:
            log(f"DATABASE_URL {wanted} is not PostgreSQL: using SQLite in the work directory")
        return f"sqlite:///{work / (name + '.sqlite3')}", "sqlite"
    url = urllib.parse.urlsplit(wanted)
    base = url.path.lstrip("/") or "levelhead_bench"
    if "bench" not in base:
        raise SystemExit(f"Refusing to drop database {base!r}: its name must contain 'bench'.")
    db = base if name == "demo" else f"{base}_{name}"
    pg_admin(wanted, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', f'CREATE DATABASE "{db}"')
    return urllib.parse.urlunsplit(url._replace(path=f"/{db}")), "postgresql"


def pg_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def redis_cache_url() -> tuple[str | None, str]:
    """(CACHE_URL for Django's RedisCache on its own, flushed database, what to print)."""
    number = env_int("BENCH_REDIS_DB", 13)
    url = f"redis://127.0.0.1:6379/{number}"
    try:
        import redis
    except ImportError:
        return None, "cache: the default (the redis package is not installed)"
    try:
        redis.Redis.from_url(url, socket_timeout=2).flushdb()
    except redis.RedisError as error:
        return None, f"cache: the default (Redis at 127.0.0.1:6379 is not reachable: {error})"
    return url, f"cache: Redis {url} (flushed)"


def cache_label(cache_url: str | None) -> str:
    return "Redis cache" if cache_url else "default cache, no Redis"


def flush_cache(cache_url: str | None) -> None:
    if cache_url:
        import redis

        redis.Redis.from_url(cache_url).flushdb()


# --- HTTP -------------------------------------------------------------------------------


def fetch(url: str, headers: dict[str, str]) -> tuple[int, int]:
    """(status, body bytes) of one GET through curl, 0 when it could not connect."""
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-m", "60"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    status, size = (done.stdout.split() + ["0", "0"])[:2]
    return int(status), int(float(size))


def sign_in(port: int, username: str, password: str) -> str:
    """The Cookie header of a session signed in through the login form."""
    import http.client
    from http.cookies import SimpleCookie

    def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/login/")
    page = conn.getresponse()
    cookies = cookies_of(page)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    if not found or "csrftoken" not in cookies:
        raise SystemExit("GET /login/ gave no CSRF token")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": found[1]}
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    answer = conn.getresponse()
    answer.read()
    cookies.update(cookies_of(answer))
    if answer.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Signing in as {username} answered {answer.status}, no session")
    return "; ".join(f"{k}={v}" for k, v in sorted(cookies.items()))


def credentials(port: int, tokens: dict[str, str]) -> dict[str, dict[str, dict[str, str]]]:
    """Headers per login: a session signed in through the form, and an API token."""
    return {
        "session": {u: {"Cookie": sign_in(port, u, DEMO_PASSWORD)} for u in tokens},
        "token": {u: {"Authorization": f"Token {key}"} for u, key in tokens.items()},
    }


# --- wrk --------------------------------------------------------------------------------


def ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(
    url: str, headers: dict[str, str], seconds: int, connections: int, script: Path
) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    out = done.stdout
    found = re.search(r"^BENCH (.*)$", out, re.M)
    if done.returncode or not found:  # e.g. nothing listens on the port any more
        why = " ".join((done.stderr or out).split())[:200]
        return {"rps": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "requests": 0, "non2xx": 0,
                "duration_s": 0.0, "socket_errors": 1, "error": f"wrk failed: {why}"}  # fmt: skip
    lua = dict(kv.split("=", 1) for kv in found[1].split())
    socket_errors = sum(int(lua[k]) for k in ("connect", "read", "write", "timeout"))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        "p50": ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),  # type: ignore[index]
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),  # type: ignore[index]
        "p95": int(lua["p95_us"]) / 1000,
        "requests": int(lua["requests"]),
        "duration_s": int(lua["duration_us"]) / 1e6,
        # wrk's own "Non-2xx or 3xx responses" line counts only 4xx/5xx; the Lua counts 3xx too.
        "non2xx": max(
            int(lua["non2xx"]), int(m[1]) if (m := re.search(r"Non-2xx.*: (\d+)", out)) else 0
        ),
        "socket_errors": socket_errors,
    }


# --- the table --------------------------------------------------------------------------
