"""Cheaper reportlab internals for the PDF renderer, with byte-identical drawing commands.

Without reportlab's C accelerator (`rl_accel`, not installed here) every coordinate and colour
written to a page goes through the pure-Python `fp_str`, the largest single cost of drawing a
table cell. Coordinates repeat a great deal (the same column edges on every row, the same
sizes), so one cached formatting per number gives the same text at a fraction of the cost.
ASCII-85 encoding of the (already compressed) page streams is switched off: it is pure Python
here too, makes the file a quarter larger and adds nothing for a PDF kept on disk.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from reportlab import rl_config
from reportlab.lib import rl_accel

#: Modules that imported `fp_str` by name at import time and therefore need it replaced there.
USERS = ("reportlab.pdfgen.canvas", "reportlab.pdfgen.textobject", "reportlab.pdfgen.pathobject",
         "reportlab.platypus.tables", "reportlab.platypus.flowables", "reportlab.platypus.para",
         "reportlab.pdfbase.pdfdoc", "reportlab.pdfbase.ttfonts")


def install() -> bool:
    """Patch once; False when the C accelerator is present (nothing to gain)."""
    slow = getattr(rl_accel, "_py_fp_str", None)
    rl_config.useA85 = 0
    if slow is None or rl_accel.fp_str is not slow:
        return False

    one = functools.lru_cache(maxsize=1 << 16)(lambda value: slow(value))

    def fp_str(*values: Any) -> str:
        if len(values) == 1 and isinstance(values[0], list | tuple):
            values = values[0]
        return " ".join([one(v) for v in values])

    rl_accel.fp_str = fp_str
    for name in USERS:
        module = importlib.import_module(name)
        if getattr(module, "fp_str", None) is slow:
            module.fp_str = fp_str
    return True
