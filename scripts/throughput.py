"""`make bench-throughput`: requests per second under gunicorn, next to Django's hello world.

What it does, all on loopback, in a throwaway work directory:

1. Loads the demo org into a fresh database (PostgreSQL when DATABASE_URL names one: that
   database is dropped and created again, so its name must contain "bench"; otherwise a
   SQLite file in the work directory) with production settings: DEBUG=false, a random
   SECRET_KEY, collected static files, and the cache in Redis (CACHE_URL=redis://…, a
   database number of its own, flushed first; without Redis it says so and uses the
   default cache).
2. Serves Levelhead with ``gunicorn -w 2 -k sync`` and, with the same command line, the
   hello-world Django of scripts/hello/ (no middleware, no database): the stack's floor.
3. Signs the demo logins in through the real login form (a session cookie each) and makes
   each an API token, checks every route answers 200, counts each route's queries with
   Django's test client in a separate process (same database, cache and credentials), then
   loads each route with ``wrk -t1 -c5 --latency``: a 1 s warm-up before its first round,
   then BENCH_SECONDS in each of BENCH_ROUNDS rounds, the hello world in every round too.
4. Prints the table and writes it as JSON (path printed); then a mixed load as the manager
   (20 connections cycling through every route the manager may open) with each gunicorn
   worker's memory at its start and end; then, with BENCH_LARGE=1, a second table on a
   10,000-person org built with `manage.py bench`'s builder.

How to read the table: each number is the median of the rounds. "% hello" is the route's
req/s over the hello world's req/s in the same round, so the machine's speed and the load
other processes put on it mostly cancel out. A page or API list passes at >= 5 % with p99
<= 100 ms; the floor (/api/v1/me/, the cheapest authenticated request) at >= 40 %. Queries
are per request after one warm-up request (what a request costs once caches are warm).
A route that answers anything but 2xx, or whose connections fail, fails the bench: the
script exits 1 (target misses only with BENCH_STRICT=1).

Environment: BENCH_SECONDS (3), BENCH_ROUNDS (3), BENCH_MIXED_SECONDS (60), BENCH_ROUTES
(comma-separated keys of ROUTES, default all), BENCH_LARGE (0), BENCH_LARGE_PEOPLE
(10000), BENCH_REDIS_DB (13), BENCH_JSON (also write the JSON there), BENCH_KEEP=1 keeps
the work directory and the PostgreSQL databases, BENCH_STRICT=1.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from throughput_django import django_main
from throughput_tools import (
    DEMO_PASSWORD,
    Processes,
    cache_label,
    collect_static,
    credentials,
    django_mode,
    env_int,
    fetch,
    flush_cache,
    log,
    manage,
    pg_admin,
    prepare_database,
    redis_cache_url,
    timer,
    wait_until_up,
    worker_rss,
    wrk,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOGINS = {"sam": "engineer", "priya": "manager", "marcus": "director", "hana": "hr"}
PAGE_TARGET, FLOOR_TARGET, P99_TARGET_MS = 5.0, 40.0, 100.0


@dataclass(frozen=True)
class Route:
    key: str  # BENCH_ROUTES names it
    login: str
    auth: str  # "session" (cookie) or "token" (Authorization: Token …)
    kind: str  # "floor", "api" or "page"
    path: str  # str.format()ed with the looked-up ids


ROUTES = [
    Route("floor-session", "priya", "session", "floor", "/api/v1/me/"),
    Route("floor-token", "priya", "token", "floor", "/api/v1/me/"),
    Route("people", "hana", "token", "api", "/api/v1/people/"),
    Route("reviews", "hana", "token", "api", "/api/v1/reviews/"),
    Route("evidence", "priya", "token", "api", "/api/v1/evidence/"),
    Route("calibration-cases", "hana", "token", "api", "/api/v1/calibration-cases/"),
    Route("rubric-versions", "sam", "token", "api", "/api/v1/rubric-versions/"),
    Route("audit-report", "hana", "token", "api", "/api/v1/audit/report/?cycle={cycle}"),
    Route("home", "priya", "session", "page", "/"),
    Route("rubric-matrix", "sam", "session", "page", "/rubrics/engineering-ic/"),
    Route("workspace", "priya", "session", "page", "/reviews/"),
    Route("editor", "priya", "session", "page", "/reviews/{draft}/edit/"),
    Route("team-outcomes", "priya", "session", "page", "/outcomes/teams/{team}/"),
    Route("cycles", "hana", "session", "page", "/cycles/"),
    Route("board", "hana", "session", "page", "/calibration/{session}/"),
    Route("case", "hana", "session", "page", "/calibration/cases/{case}/"),
    Route("audit-page", "hana", "session", "page", "/audit/{cycle}/"),
]
LARGE_LOGINS = {"bench-hr": "hr", "bench-m0": "manager"}
LARGE_ROUTES = [
    Route("large-people", "bench-hr", "token", "api", "/api/v1/people/"),
    Route("large-reviews", "bench-hr", "token", "api", "/api/v1/reviews/"),
    Route("large-home-hr", "bench-hr", "session", "page", "/"),
    Route("large-home-manager", "bench-m0", "session", "page", "/"),
]

# Counts every answer outside 2xx (wrk's own count leaves out 3xx, e.g. a redirect to the
# login page) and reports p95; the mixed load also picks the next path per request.
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d p50_us=%.0f p95_us=%.0f p99_us=%.0f "
    .. "connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, n, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.timeout))
end
"""
MIXED_LUA = """
counter = 0
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter - 1) % #paths + 1])
end
"""


@dataclass
class Row:
    key: str
    role: str
    kind: str
    path: str
    status: int = 0
    size: int = 0
    queries: int | None = None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""

    def median(self, name: str) -> float:
        return statistics.median(r[name] for r in self.rounds) if self.rounds else 0.0

    @property
    def result(self) -> str:
        if self.problem:
            return "ERROR"
        target = FLOOR_TARGET if self.kind == "floor" else PAGE_TARGET
        missed = [f"<{target:.0f}%"] if self.median("pct") < target else []
        missed += [f"p99>{P99_TARGET_MS:.0f}ms"] if self.median("p99") > P99_TARGET_MS else []
        return "PASS" if not missed else "FAIL " + ",".join(missed)


def measure(
    title: str,
    rows: list[Row],
    base: str,
    hello: str,
    heads: dict[str, dict[str, str]],
    work: Path,
) -> dict[str, Any]:
    seconds, rounds = env_int("BENCH_SECONDS", 3), env_int("BENCH_ROUNDS", 3)
    script = work / "status.lua"
    script.write_text(STATUS_LUA)
    hello_rounds: list[dict[str, Any]] = []
    live = [r for r in rows if not r.problem]
    for n in range(rounds):
        log(f"  round {n + 1}/{rounds}: hello world and {len(live)} routes, {seconds} s each")
        if n == 0:
            wrk(hello + "/", {}, 1, 5, script)
        hello_rounds.append(wrk(hello + "/", {}, seconds, 5, script))
        if not hello_rounds[-1]["rps"] or hello_rounds[-1]["non2xx"]:
            raise SystemExit(f"The hello world failed: {hello_rounds[-1]}")
        for row in live:
            if n == 0:
                wrk(base + row.path, heads[row.key], 1, 5, script)  # warm-up
            measured = wrk(base + row.path, heads[row.key], seconds, 5, script)
            measured["pct"] = 100 * measured["rps"] / hello_rounds[-1]["rps"]
            row.rounds.append(measured)
            if measured["non2xx"] or measured["socket_errors"]:
                row.problem = measured.get("error") or (
                    f"{measured['non2xx']} non-2xx answers, "
                    f"{measured['socket_errors']} socket errors under load"
                )
                log(f"!!! {row.key} {row.path}: {row.problem}")
    hello_row = Row("hello-world", "-", "hello", "/", 200, 12, None, hello_rounds)
    print_table(title, hello_row, rows, seconds, rounds)
    return {
        "title": title,
        "seconds": seconds,
        "rounds": rounds,
        "hello": {"rps": hello_row.median("rps"), "rounds": hello_rounds},
        "rows": [
            {
                **asdict(r),
                "result": r.result,
                "rps": r.median("rps"),
                "pct_of_hello": r.median("pct"),
                "p50_ms": r.median("p50"),
                "p99_ms": r.median("p99"),
            }
            for r in rows
        ],
    }


def print_table(title: str, hello: Row, rows: list[Row], seconds: int, rounds: int) -> None:
    log(f"\n{title}: gunicorn -w 2 (sync), wrk -t1 -c5, median of {rounds} x {seconds} s")
    log(
        f"targets: page/API >= {PAGE_TARGET:.0f} % of hello world and p99 <= {P99_TARGET_MS:.0f}"
        f" ms; floor >= {FLOOR_TARGET:.0f} %"
    )
    per_round = ", ".join(f"{r['rps']:.0f}" for r in hello.rounds)
    log(f"hello world req/s per round: {per_round} (each route's % uses its own round's)")
    head = f"{'route':<20} {'role':<9} {'req/s':>8} {'% hello':>8} {'p50 ms':>7} {'p99 ms':>7}"
    log(f"{head} {'queries':>7} {'KiB':>6}  result")
    for row in [hello, *rows]:
        queries = "-" if row.queries is None else str(row.queries)
        if row.rounds:
            pct = 100.0 if row.kind == "hello" else row.median("pct")
            numbers = (
                f"{row.median('rps'):>8.1f} {pct:>8.1f}"
                f" {row.median('p50'):>7.1f} {row.median('p99'):>7.1f}"
            )
        else:
            numbers = f"{'-':>8} {'-':>8} {'-':>7} {'-':>7}"
        result = "" if row.kind == "hello" else row.result
        log(f"{row.key:<20} {row.role:<9} {numbers} {queries:>7} {row.size / 1024:>6.1f}  {result}")
        if row.problem:
            log(f"{'':<20} !!! {row.path}: {row.problem}")


def prepare_rows(
    routes: list[Route],
    roles: dict[str, str],
    ids: dict[str, Any],
    creds: dict[str, Any],
    base: str,
    env: dict[str, str],
) -> tuple[list[Row], dict[str, dict[str, str]]]:
    """One row per route, its status checked with curl and its queries counted."""
    rows, heads = [], {}
    for route in routes:
        heads[route.key] = creds[route.auth][route.login]
        names = re.findall(r"{(\w+)}", route.path)
        path = route.path.format(**{n: ids.get(n) for n in names})
        row = Row(route.key, roles[route.login], route.kind, path)
        if missing := [n for n in names if ids.get(n) is None]:
            row.problem = f"the demo data has no {', '.join(missing)} for this route"
        else:
            row.status, row.size = fetch(base + path, heads[route.key])
            if row.status != 200:
                row.problem = f"answered {row.status} (expected 200) before any load"
        if row.problem:
            log(f"!!! {route.key} {path}: {row.problem}")
        rows.append(row)
    live = [r for r in rows if not r.problem]
    counted = django_mode(
        env, "queries", [{"key": r.key, "path": r.path, "headers": heads[r.key]} for r in live]
    )
    for row in live:
        row.queries = counted[row.key]
    return rows, heads


def mixed_load(
    base: str, cookie: dict[str, str], paths: list[str], master: Any, work: Path
) -> dict[str, Any]:
    seconds = env_int("BENCH_MIXED_SECONDS", 60)
    script = work / "mixed.lua"
    script.write_text(
        "paths = " + "{" + ", ".join(json.dumps(p) for p in paths) + "}\n" + MIXED_LUA + STATUS_LUA
    )
    log(
        f"\nMixed load as the manager (priya's session): 20 connections x {seconds} s over "
        f"{len(paths)} paths: {' '.join(paths)}"
    )
    before = worker_rss(master)
    result = wrk(base + "/", cookie, seconds, 20, script)
    after = worker_rss(master)
    errors = result["non2xx"] + result["socket_errors"]
    log(
        f"  {result['requests'] / result['duration_s']:.1f} req/s, p95 {result['p95']:.1f} ms, "
        f"p99 {result['p99']:.1f} ms, {result['requests']} requests, {errors} errors "
        f"({result['non2xx']} non-2xx, {result['socket_errors']} socket)"
    )
    for pid in sorted(set(before) | set(after)):
        start, end = before.get(pid), after.get(pid)
        log(
            f"  worker {pid}: RSS {start or 0:,} KiB at the start, {end or 0:,} KiB at the end"
            + (f" ({(end - start) / 1024:+.1f} MiB)" if start and end else " (restarted)")
        )
    if errors:
        log(f"!!! mixed load: {errors} errors")
    return {**result, "paths": paths, "rss_kib_start": before, "rss_kib_end": after}


# --- main -------------------------------------------------------------------------------


def main() -> int:
    # Ctrl+C or a kill still stops the servers (they run in their own session) and cleans up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    work = Path(tempfile.mkdtemp(prefix="levelhead-throughput-"))
    procs = Processes(work)
    databases: list[str] = []
    started = time.monotonic()
    try:
        return run(work, procs, databases)
    except KeyboardInterrupt:
        log("\nInterrupted: stopping the servers and cleaning up")
        return 130
    finally:
        procs.stop_all()
        keep = os.environ.get("BENCH_KEEP") == "1"
        for url in databases if not keep else []:
            name = urllib.parse.urlsplit(url).path.lstrip("/")
            try:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as error:  # report it, still remove the work directory
                log(f"Could not drop database {name}: {error}")
        if keep:
            log(f"Kept the work directory {work}" + (f" and {databases}" if databases else ""))
        else:
            shutil.rmtree(work, ignore_errors=True)
        log(f"bench-throughput took {time.monotonic() - started:.0f} s")


def run(work: Path, procs: Processes, databases: list[str]) -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (make bench-throughput installs it)")
    cache_url, cache_note = redis_cache_url()
    db_url, vendor = prepare_database(work, "demo")
    if vendor == "postgresql":
        databases.append(db_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    log(f"Work directory {work}; database {vendor}; {cache_note}")
    log("Loading the demo org (migrate, createcachetable, collectstatic, seed_demo)")
    took = timer()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    log(f"  migrated in {took()}")
    collect_static(env)
    log(f"  static files in {took()}")
    manage(env, "seed_demo", "--i-know-this-is-production")
    found = django_mode(env, "setup", {"logins": list(LOGINS), "ids": True})
    ids, tokens = found["ids"], found["tokens"]
    log(f"  demo org loaded in {took()}; ids {ids}")
    app, port = procs.gunicorn("levelhead", ROOT, "config.wsgi:application", env)
    hello, hello_port = procs.gunicorn(
        "hello", ROOT / "scripts" / "hello", "hello:application", env
    )
    base, hello_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{hello_port}"
    wait_until_up(base + "/login/", app, "Levelhead's gunicorn")
    wait_until_up(hello_base + "/", hello, "The hello-world gunicorn")
    creds = credentials(port, tokens)
    wanted = [k for k in os.environ.get("BENCH_ROUTES", "").split(",") if k]
    if unknown := set(wanted) - {r.key for r in ROUTES}:
        raise SystemExit(f"BENCH_ROUTES: no route {', '.join(sorted(unknown))}")
    routes = [r for r in ROUTES if not wanted or r.key in wanted]
    rows, heads = prepare_rows(routes, LOGINS, ids, creds, base, env)
    report: dict[str, Any] = {"database": vendor, "cache": cache_note}
    report["demo"] = measure(
        f"Demo org ({vendor}, {cache_label(cache_url)})", rows, base, hello_base, heads, work
    )
    manager = creds["session"]["priya"]
    # Every chosen route the manager may open, as the manager (API ones with her session).
    paths = sorted(
        {r.path for r in rows if not r.problem and fetch(base + r.path, manager)[0] == 200}
    )
    report["mixed"] = mixed_load(base, manager, paths, app, work)
    large_rows: list[Row] = []
    if os.environ.get("BENCH_LARGE", "0") == "1":
        procs.stop(app)
        large_rows = large_org(work, procs, databases, env, cache_url, hello_base, report)
    out = work / "throughput.json"
    out.write_text(json.dumps(report, indent=2))
    kept = os.environ.get("BENCH_KEEP") == "1"
    log(f"\nThe tables as JSON: {out}")
    if not kept:
        log("  (removed with the work directory: BENCH_KEEP=1 or BENCH_JSON=<path> keeps it)")
    if os.environ.get("BENCH_JSON"):
        shutil.copy(out, os.environ["BENCH_JSON"])
        log(f"  copied to {os.environ['BENCH_JSON']}")
    failed = [r.key for r in rows + large_rows if r.problem]
    if report["mixed"]["non2xx"] or report["mixed"]["socket_errors"]:
        failed.append("mixed load")
    if os.environ.get("BENCH_STRICT") == "1":
        failed += [r.key for r in rows + large_rows if r.result.startswith("FAIL")]
    if failed:
        log(f"\n!!! BENCH FAILED: {', '.join(failed)}")
        for server_log in sorted(work.glob("*.log")):
            lines = server_log.read_text(errors="replace").splitlines()
            log(f"--- last lines of {server_log.name} ---\n" + "\n".join(lines[-30:]))
        return 1
    return 0


def large_org(
    work: Path,
    procs: Processes,
    databases: list[str],
    demo_env: dict[str, str],
    cache_url: str | None,
    hello_base: str,
    report: dict[str, Any],
) -> list[Row]:
    people = env_int("BENCH_LARGE_PEOPLE", 10_000)
    db_url, vendor = prepare_database(work, "large")
    if vendor == "postgresql":
        databases.append(db_url)
    env = {**demo_env, "DATABASE_URL": db_url}
    flush_cache(cache_url)  # the demo org's cached data must not answer for this database
    log(f"\nBuilding the {people:,}-person org (manage.py bench's builder and one review cycle)")
    t0 = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    built = django_mode(env, "large", {"people": people, "password": DEMO_PASSWORD})
    took = time.monotonic() - t0
    log(f"  {built['people']:,} people, {built['reviews']:,} reviews in {took:.0f} s")
    app, port = procs.gunicorn("levelhead-large", ROOT, "config.wsgi:application", env)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/login/", app, "Levelhead's gunicorn (large org)")
    tokens = django_mode(env, "setup", {"logins": list(LARGE_LOGINS), "ids": False})["tokens"]
    creds = credentials(port, tokens)
    rows, heads = prepare_rows(LARGE_ROUTES, LARGE_LOGINS, {}, creds, base, env)
    title = f"{built['people']:,}-person org ({vendor}, {cache_label(cache_url)})"
    report["large"] = {**measure(title, rows, base, hello_base, heads, work), **built}
    procs.stop(app)
    return rows


# --- inside Django (python scripts/throughput.py --django <mode>) -------------------------


if __name__ == "__main__":
    if sys.argv[1:2] == ["--django"]:
        django_main(sys.argv[2])
    else:
        sys.exit(main())
