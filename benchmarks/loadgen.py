"""Closed-loop HTTP load for the platform benchmarks: a production server and its clients.

``serve()`` starts gunicorn with the production settings on a free loopback port and waits until
``/healthz`` answers. ``load()`` runs ``clients`` concurrent keep-alive connections for
``seconds``, each sending its next request as soon as the previous answer arrived, every request
a random pick from ``paths``; it reports requests, requests/s, p50/p95/p99 and the answers that
were not 2xx/3xx.

The clients are `wrk <https://github.com/wg/wrk>`_ (Debian package ``wrk``) when it is installed:
one C event loop drives all connections, so the clients take a few per cent of one core and the
server gets the machine. Without it a thread per client with its own ``httpx`` client is used
(the measured latency then includes the clients' Python time on the same cores: an upper bound);
the result says which generator ran.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class LoadResult:
    generator: str  # "wrk" or "python-threads"
    clients: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # answers that were not 2xx/3xx, plus socket errors and timeouts
    error_samples: list[str] = field(default_factory=list)
    #: the server's processes' CPU time per answer (user + system), when the server is known:
    #: what a request costs, whatever else the machine was doing
    cpu_ms: float = float("nan")


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server (master and workers) so far (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        pids = [self.pid]
        try:
            kids = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        except OSError:
            kids = []
        pids += [int(k) for k in kids]
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(
    env: dict[str, str], *, workers: int = 2, threads: int = 8, timeout_s: int = 300
) -> Iterator[Server]:
    """gunicorn (production settings, static files collected) on loopback."""
    import httpx

    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "quarterhour.platform.settings.production",
        "SECRET_KEY": env.get("SECRET_KEY", "bench-only-" + "x" * 50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": env.get("LOG_LEVEL", "WARNING"),
    }
    subprocess.run(
        [sys.executable, "-m", "quarterhour", "manage", "collectstatic", "--noinput", "-v0"],
        env=server_env,
        check=True,
        timeout=300,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "quarterhour.platform.wsgi:application",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout_s),
            "--log-level",
            "warning",
        ],
        env=server_env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                r = httpx.get(base + "/healthz", headers=HEADERS, timeout=1)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("the server did not answer /healthz within 60 s")
        yield Server(base, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


#: production settings redirect plain HTTP; a TLS-terminating proxy sends this header
HEADERS = {"X-Forwarded-Proto": "https"}


def load(
    server: Server | str,
    paths: Sequence[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    seed: int = 1,
    keep_alive: bool = False,
) -> LoadResult:
    """``clients`` closed-loop clients for ``seconds``, each request a random path.

    By default each request comes on a new connection, as a reverse proxy such as nginx sends
    them to its upstream unless told otherwise: the kernel then spreads them over the server's
    worker processes. With ``keep_alive`` each client keeps its connection, so a worker keeps
    every connection it happened to accept first, and the two workers' shares can differ by
    several times from run to run (seen here: the same build at 770 or 2,000 answers a second).
    """
    hdrs = {**HEADERS, **(headers or {})}
    if not keep_alive:
        hdrs["Connection"] = "close"
    base = server.base if isinstance(server, Server) else server
    cpu0 = server.cpu_seconds() if isinstance(server, Server) else float("nan")
    if shutil.which("wrk") and os.environ.get("QH_LOADGEN", "wrk") == "wrk":
        r = _wrk(base, paths, clients=clients, seconds=seconds, headers=hdrs, seed=seed)
    else:
        r = _threads(base, paths, clients=clients, seconds=seconds, headers=hdrs, seed=seed)
    if isinstance(server, Server) and r.requests:
        cpu = (server.cpu_seconds() - cpu0) * 1000 / r.requests
        r = dataclasses.replace(r, cpu_ms=cpu)
    return r


def _lua_string(text: str) -> str:
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


_WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  math.randomseed(%(seed)d + tid)
  for k, v in pairs(headers) do wrk.headers[k] = v end
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'QHJSON {"requests": %%d, "duration_us": %%d, "status": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _wrk(
    base: str,
    paths: Sequence[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str],
    seed: int,
) -> LoadResult:
    script = _WRK_SCRIPT % {
        # as a browser sends them: non-ASCII percent-encoded (UTF-8)
        "paths": ",\n".join(_lua_string(quote(p, safe="/?&=%:+,;@!$'()*~")) for p in paths),
        "headers": ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items()
        ),
        "seed": seed,
    }
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "paths.lua"
        lua.write_text(script, encoding="utf-8")
        # one wrk thread: an event loop drives every connection with a few per cent of a core
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{clients}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "60s",
                "-s",
                str(lua),
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()[-800:]}")
    line = next((x for x in out.stdout.splitlines() if x.startswith("QHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stderr.strip()[-500:]}")
    r = json.loads(line[len("QHJSON ") :])
    errors = r["status"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    samples = [f"{k}: {r[k]}" for k in ("status", "connect", "read", "write", "timeout") if r[k]]
    return LoadResult(
        generator="wrk",
        clients=clients,
        seconds=r["duration_us"] / 1e6,
        requests=r["requests"],
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50"] / 1000,
        p95_ms=r["p95"] / 1000,
        p99_ms=r["p99"] / 1000,
        errors=errors,
        error_samples=samples,
    )


def _threads(
    base: str,
    paths: Sequence[str],
    *,
    clients: int,
    seconds: float,
    headers: dict[str, str],
    seed: int,
) -> LoadResult:
    import httpx

    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        mine: list[float] = []
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            while time.perf_counter() < stop_at:
                path = rng.choice(paths)
                t = time.perf_counter()
                r = http.get(path)
                mine.append(time.perf_counter() - t)
                if r.status_code >= 400:
                    with lock:
                        errors.append(f"{path}: {r.status_code}")
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat.sort()

    def pct(q: float) -> float:
        return lat[int(q * (len(lat) - 1))] * 1000 if lat else float("nan")

    return LoadResult(
        generator="python-threads",
        clients=clients,
        seconds=wall,
        requests=len(lat),
        rps=len(lat) / wall,
        p50_ms=statistics.median(lat) * 1000 if lat else float("nan"),
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        errors=len(errors),
        error_samples=errors[:5],
    )
