"""Each process entry point works on its own, in a fresh interpreter, as RQ workers and the indexer start."""

import subprocess
import sys

import pytest

ENTRY_MODULES = ["dapp.issuance.jobs", "dapp.chain.jobs", "dapp.jobs.scheduler", "indexer.run", "dapp.cli"]


@pytest.mark.parametrize("module", ENTRY_MODULES)
def test_entry_module_registers_every_table_it_may_write(module: str) -> None:
    code = f"import {module}; from dapp.db import Base; Base.metadata.sorted_tables"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
