"""Load benchmark of the web app as deployed: ``schouders.web.server.serve`` with several uvicorn
worker processes on 127.0.0.1, driven by concurrent keep-alive clients.

Measures, in one run and under the same load:
  * start-up   seconds from starting the server process to its first answer (/health)
  * first      the first request of each kind on a fresh server: every worker's first pages
               (profile, national picture, indicator, compare), before anything is cached
  * baseline   GET /health (no warehouse access): the floor set by HTTP, uvicorn and the client
  * profile    GET /gemeente/<GM>            (server-rendered HTML, a spread of municipalities)
  * json       GET /gemeente/<GM>.json       (the JSON twin)
and prints p50/p95/p99 latency, throughput and the ratio to the baseline. Targets (issue "One
engine, one shell"): answers within 3 s of starting, no first request per worker over 200 ms,
profile p95 within 1.2x the baseline endpoint's p95 at 20 concurrent clients.

Usage:
    python benchmarks/bench_web.py --data-dir ../shared/data            # builds a warehouse
    python benchmarks/bench_web.py --home ~/.local/share/schouders       # uses an existing one
Options: --clients 20 --seconds 10 --workers N --municipalities 20 --port 0
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
CLIENT_PROCESSES = 4


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def mean(self) -> float:
        return statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, baseline: Result | None) -> str:
        ratio = ""
        if baseline is not None and baseline is not self:
            ratio = (f"  p95 x{self.quantile(0.95) / baseline.quantile(0.95):.1f}, "
                     f"throughput x{self.throughput / baseline.throughput:.2f} of baseline")
        return (f"{self.name:<9} n={len(self.latencies):>6}  err={self.errors:<3} "
                f"p50={self.quantile(0.50):6.1f} ms  p95={self.quantile(0.95):6.1f} ms  "
                f"p99={self.quantile(0.99):6.1f} ms  mean={self.mean:6.1f} ms  "
                f"{self.throughput:7.1f} req/s{ratio}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, data_dir: Path | None, port: int, workers: int | None
                 ) -> subprocess.Popen[bytes]:
    data = str(data_dir) if data_dir else None
    code = (
        "from schouders.config import load_settings\n"
        "from schouders.web.server import serve\n"
        f"serve(load_settings(home={str(home)!r}, data_dir={data!r}),"
        f" '127.0.0.1', {port}, {workers!r}, log_level='warning')\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_until_up(base: str, seconds: float = 120) -> float:
    """Seconds until the server's first 200 on /health."""
    began = time.monotonic()
    while time.monotonic() < began + seconds:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.monotonic() - began
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit("server did not come up")


def wait_for_workers(base: str, workers: int, seconds: float = 120) -> float:
    """Seconds until ``workers`` distinct worker processes have answered /health."""
    began = time.monotonic()
    seen: set[int] = set()
    while len(seen) < workers and time.monotonic() < began + seconds:
        with httpx.Client(base_url=base, timeout=5) as client:  # a new connection each time
            seen.add(int(client.get("/health").json()["worker"]))
    return time.monotonic() - began


def first_requests(base: str, paths: list[str], workers: int) -> list[float]:
    """Each path once per worker (fresh connections are spread over the workers by the
    kernel), all concurrently: the slowest is the worst first request any worker served."""
    results: list[float] = []
    lock = threading.Lock()

    def one(path: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            begin = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - begin
        with lock:
            results.append(elapsed if response.status_code == 200 else float("inf"))

    threads = [threading.Thread(target=one, args=(path,)) for path in paths * workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _drive_threads(base: str, paths: list[str], clients: int, stop_at: float,
                  first_offset: int) -> tuple[list[float], int]:
    """``clients`` threads in this process, each with its own keep-alive connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker(offset: int) -> None:
        local: list[float] = []
        failed = 0
        index = offset
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.time() < stop_at:
                path = paths[index % len(paths)]
                index += 1
                begin = time.perf_counter()
                try:
                    response = client.get(path)
                    response.read()
                except httpx.HTTPError:
                    failed += 1
                    continue
                if response.status_code != 200:
                    failed += 1
                    continue
                local.append(time.perf_counter() - begin)
        with lock:
            latencies.extend(local)
            errors[0] += failed

    threads = [threading.Thread(target=worker, args=(first_offset + n * 7,))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


def drive(base: str, paths: list[str], clients: int, seconds: float, name: str,
          processes: int = CLIENT_PROCESSES) -> Result:
    """``clients`` concurrent keep-alive clients looping over ``paths`` for ``seconds``,
    spread over ``processes`` client processes so the client's own GIL does not become the
    bottleneck being measured."""
    result = Result(name)
    processes = max(1, min(processes, clients))
    shares = [clients // processes + (1 if n < clients % processes else 0)
              for n in range(processes)]
    stop_at = time.time() + seconds
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [pool.submit(_drive_threads, base, paths, share, stop_at, n * 97)
                   for n, share in enumerate(shares)]
        for future in futures:
            latencies, errors = future.result()
            result.latencies.extend(latencies)
            result.errors += errors
    result.seconds = time.monotonic() - started
    return result


def prepare(settings: object) -> None:
    """What ``schouders build`` and ``schouders serve`` do before the workers start (engine
    cache, precomputed service tables), so start-up measures serving, not building."""
    from schouders.service.precompute import ensure_service_tables

    ensure_service_tables(settings)  # type: ignore[arg-type]


def municipalities(base: str, count: int) -> list[str]:
    rows = httpx.get(f"{base}/api/gemeenten", params={"limit": 400}, timeout=60).json()
    codes = [row["gm_code"] for row in rows]
    step = max(1, len(codes) // count)
    return codes[::step][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--municipalities", type=int, default=20)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    from schouders.config import load_settings
    from schouders.web.server import default_workers

    temp = None
    home = args.home
    data_dir = args.data_dir or (Path(os.environ["SCHOUDERS_DATA_DIR"])
                                 if os.environ.get("SCHOUDERS_DATA_DIR") else None)
    if home is None:
        if data_dir is None:
            raise SystemExit("give --home (an existing warehouse) or --data-dir (a snapshot)")
        temp = tempfile.TemporaryDirectory(prefix="schouders-bench-")
        home = Path(temp.name)
    settings = load_settings(data_dir=data_dir, home=home)
    if not settings.warehouse_path.exists():
        from schouders.warehouse.build import build_warehouse

        began = time.perf_counter()
        build_warehouse(settings)
        print(f"warehouse built in {time.perf_counter() - began:.1f} s")
    workers = args.workers or default_workers()
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    prepare(settings)
    server = start_server(settings.home, settings.data_dir, port, workers)
    try:
        began = time.perf_counter()
        startup = wait_until_up(base)
        all_ready = startup + wait_for_workers(base, workers)
        firsts = first_requests(base, ["/gemeente/GM0363", "/landelijk", "/indicator/inhuur_pct",
                                       "/vergelijken?gemeenten=GM0363,GM0599",
                                       "/gemeente/GM1700.json"], workers)
        print(f"start-up: first answer {startup:.2f} s after starting the server "
              f"(target < 3 s), all {workers} workers answering after {all_ready:.2f} s; "
              f"first requests of the fresh workers: "
              f"max {max(firsts) * 1000:.0f} ms, median {statistics.median(firsts) * 1000:.0f} ms "
              f"(target: none over 200 ms)")
        codes = municipalities(base, args.municipalities)
        profile_paths = [f"/gemeente/{code}" for code in codes]
        json_paths = [f"/gemeente/{code}.json" for code in codes]
        # Warm-up: each worker process fills its caches (panel, engine profile, rendered page)
        # for the exercised URLs, as a long-running deployment would have.
        warm = [drive(base, profile_paths + json_paths, args.clients,
                      max(5.0, 0.75 * len(codes)), "warm-up") for _ in range(2)]
        time.sleep(3)  # let the workers' background warm-up threads finish
        print(f"server up with {workers} workers; warm-up {time.perf_counter() - began:.1f} s; "
              f"cold pass p95 {warm[0].quantile(0.95):.0f} ms "
              f"(max {max(warm[0].latencies) * 1000 if warm[0].latencies else 0:.0f} ms), "
              f"second pass p95 {warm[1].quantile(0.95):.0f} ms")
        print(f"load: {args.clients} concurrent keep-alive clients in {CLIENT_PROCESSES} client "
              f"processes, {args.seconds:.0f} s per scenario, {len(codes)} municipalities, "
              f"cpu count {os.cpu_count()}")
        baseline = drive(base, ["/health"], args.clients, args.seconds, "baseline")
        profile = drive(base, profile_paths, args.clients, args.seconds, "profile")
        as_json = drive(base, json_paths, args.clients, args.seconds, "json")
        again = drive(base, ["/health"], args.clients, args.seconds, "baseline")
        for result in (baseline, profile, as_json, again):
            print(result.line(baseline))
        ratio = profile.quantile(0.95) / baseline.quantile(0.95)
        verdict = ratio <= 1.2 and all(r.errors == 0 for r in (profile, as_json))
        print(f"profile p95 / baseline p95 = {ratio:.2f} (target <= 1.2):",
              "met" if verdict else "NOT met")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if temp is not None:
            temp.cleanup()


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    main()
