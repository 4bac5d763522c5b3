"""Entry point of ``python -m assignment``."""

import sys

from .cli import main

sys.exit(main())
