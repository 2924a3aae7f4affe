"""The HTTP benchmarks' load generator: `wrk` (Debian's, `make setup`), a native client whose CPU per request is
small and measured, so that a request rate says what the server can do rather than what a Python client can send.

`run` drives one URL for a number of seconds with one connection per wrk thread, optionally with a Lua script
(`bench/lua/`) that builds the requests; it fails on any answer other than 2xx/3xx and on socket errors."""

import re
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    median_latency: float  # seconds
    client_cpu: float  # seconds of CPU wrk spent (user + system)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def client_cpu_per_request_ms(self) -> float:
        return self.client_cpu / self.requests * 1000


def run(
    url: str, connections: int, seconds: float, script: str | None = None, env: dict[str, str] | None = None
) -> WrkRun:
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{round(seconds)}s", "--latency"]
    if script is not None:
        command += ["-s", str(LUA / script)]
    before = _children_cpu()
    result = subprocess.run([*command, url], capture_output=True, text=True, env=env, check=True)  # noqa: S603
    client_cpu = _children_cpu() - before
    out = result.stdout
    for failure in ("Non-2xx or 3xx responses", "Socket errors"):
        if failure in out:
            raise RuntimeError(f"wrk saw failures:\n{out}\n{result.stderr}")
    count = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s|m)", out)
    if count is None or median is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}\n{result.stderr}")
    return WrkRun(
        int(count[1]),
        float(count[2]) * UNITS[count[3]],
        float(median[1]) * UNITS[median[2]],
        client_cpu,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
