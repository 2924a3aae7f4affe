"""The statement's PDF library is loaded when a PDF is made, not by every process that loads the application
(issue 21 item 6)."""

import subprocess
import sys

LOADED = "import sys, dapp.app, dapp.jobs.worker; print('fpdf' in sys.modules)"


def test_the_application_loads_without_the_pdf_library() -> None:
    result = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, timeout=300)
    assert result.stdout.strip() == "False"
