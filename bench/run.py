"""`make bench`: see bench/harness.py (`.venv/bin/python bench/run.py --help`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import main

raise SystemExit(main(sys.argv[1:]))
