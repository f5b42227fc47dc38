"""`make bench-throughput` (scripts/throughput.py) runs end to end and prints its table.

A real run with tiny settings: the demo org on SQLite, Levelhead and the hello world under
gunicorn, wrk against the stack floor (session cookie) and the people API (token), one
round of one second, a one-second mixed load. Slow (about half a minute) and needs wrk:
marked `bench`, which `make test` leaves out; run it with `pytest -m bench`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"\d+\.\d"


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (make bench-throughput)")
def test_throughput_bench_prints_a_row_per_route_against_hello_world() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENCH_LARGE", "BENCH_KEEP"}
    }
    env |= {
        "BENCH_SECONDS": "1",
        "BENCH_ROUNDS": "1",
        "BENCH_MIXED_SECONDS": "1",
        "BENCH_ROUTES": "floor-session,people",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "throughput.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "database sqlite" in out

    # route, role, req/s, % of hello world, p50 ms, p99 ms, queries (a count: caches may
    # make it 0), KiB, result
    def row(route: str, role: str) -> re.Match[str]:
        found = re.search(
            rf"^{route}\s+{role}\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})\s+({NUMBER})"
            rf"\s+(\d+)\s+{NUMBER}\s+(PASS|FAIL)",
            out,
            re.M,
        )
        assert found, f"no {route} row in:\n{out}"
        return found

    hello = re.search(rf"^hello-world\s+-\s+({NUMBER})\s+100\.0\s", out, re.M)
    assert hello, out
    hello_rps = float(hello[1])
    assert hello_rps > 0
    for route, role in (("floor-session", "manager"), ("people", "hr")):
        found = row(route, role)
        rps, pct = float(found[1]), float(found[2])
        assert rps > 0
        # The ratio is the route's rate over the hello world's in the same (only) round.
        assert pct == pytest.approx(100 * rps / hello_rps, abs=0.15)
    # Only the chosen routes are loaded.
    assert not re.search(r"^(home|reviews|audit-page)\s", out, re.M)
    mixed = re.search(r"^\s+(\d+\.\d) req/s, p95 (\d+\.\d) ms, .* (\d+) errors", out, re.M)
    assert mixed and float(mixed[1]) > 0 and mixed[3] == "0", out
    assert re.search(r"worker \d+: RSS [\d,]+ KiB at the start, [\d,]+ KiB at the end", out)
    json_path = re.search(r"^The tables as JSON: (\S+)", out, re.M)
    assert json_path and not Path(json_path[1]).exists()  # the work directory is removed
