"""Benchmark: the dose-check endpoint under a bounded load on loopback, against a trivial one.

A server (``uvicorn``, one worker, as ``dosewise serve`` runs it) is started in a child process on
a free 127.0.0.1 port with a temporary journal. The load is a fixed number of requests from a
fixed number of concurrent clients (keep-alive connections), after a warm-up; the same run
measures ``POST /api/v1/check`` (baclofen 60 mg, an earlier dose, alcohol and diazepam, kidney
function) and ``GET /api/v1/health`` (the baseline: routing, JSON and HTTP only). It prints
latency p50 and p99 and throughput of each, and the ratios. It stops by itself.

    .venv/bin/python benchmarks/bench_api.py [--requests 2000] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

CHECK_BODY = {
    "substance": "baclofen",
    "dose": "60mg",
    "taken_today": ["40mg 3h ago"],
    "with": ["alcohol", "diazepam 10mg"],
    "person": {"crcl_ml_min": 45, "age_years": 70},
}
SERVER = """
import sys, uvicorn
from dosewise.api import create_app
uvicorn.run(create_app(database_url=sys.argv[2], web=False), host="127.0.0.1",
            port=int(sys.argv[1]), log_level="error", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not become ready")


def run_load(
    base: str, method: str, path: str, body: Any, requests: int, clients: int
) -> tuple[list[float], float]:
    """``requests`` calls split over ``clients`` threads; per-call latencies and wall time."""
    per_client = [
        requests // clients + (1 if i < requests % clients else 0) for i in range(clients)
    ]

    def worker(count: int) -> list[float]:
        out = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(count):
                start = time.perf_counter()
                response = client.request(method, path, json=body)
                out.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [lat for chunk in pool.map(worker, per_client) for lat in chunk]
    return latencies, time.perf_counter() - start


def describe(name: str, latencies: list[float], wall_s: float) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rps = len(ordered) / wall_s
    print(f"{name:<26} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   {rps:8.0f} req/s")
    return p50, p99, rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint (max 20000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (max 64)")
    args = parser.parse_args()
    requests = max(100, min(args.requests, 20_000))
    clients = max(1, min(args.clients, 64))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db = Path(tempfile.mkdtemp(prefix="dosewise-bench-")) / "journal.sqlite3"
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), f"sqlite:///{db}"], env=env)
    try:
        wait_ready(base, proc)
        run_load(base, "POST", "/api/v1/check", CHECK_BODY, 200, clients)  # warm-up
        run_load(base, "GET", "/api/v1/health", None, 200, clients)
        print(f"{requests} requests per endpoint, {clients} concurrent clients, one server process")
        check = describe(
            "POST /api/v1/check",
            *run_load(base, "POST", "/api/v1/check", CHECK_BODY, requests, clients),
        )
        health = describe(
            "GET /api/v1/health (base)",
            *run_load(base, "GET", "/api/v1/health", None, requests, clients),
        )
        print(
            f"ratio check/health: p50 {check[0] / health[0]:.1f}x, p99 "
            f"{check[1] / health[1]:.1f}x, throughput {check[2] / health[2]:.2f}x"
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
