"""Each process entry point works on its own, in a fresh interpreter, as RQ workers and the indexer start: a worker
imports a job's module by its name (dapp.platform), so every module a job lives in is an entry point."""

import subprocess
import sys

from dapp.platform import job_path
from tests.test_jobs import ALL_NAMES

ENTRY_MODULES = sorted(
    {job_path(name).rpartition(".")[0] for name in ALL_NAMES} | {"dapp.jobs.scheduler", "indexer.run", "dapp.cli"}
)


def test_every_entry_module_registers_every_table_it_may_write() -> None:
    code = "import {}; from dapp.db import Base; Base.metadata.sorted_tables"
    started = {
        module: subprocess.Popen([sys.executable, "-c", code.format(module)], stderr=subprocess.PIPE, text=True)
        for module in ENTRY_MODULES
    }
    failed = {module: process.communicate()[1] for module, process in started.items() if process.wait() != 0}
    assert failed == {}
