import sys

from drec_verifier.cli import main

sys.exit(main())
