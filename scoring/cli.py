"""`python -m scoring evaluate INPUT.json`: one JSON object on stdout, never a traceback.

Exit 0 with the result; exit 2 with {"errors": [{"code", "message"}, ...]} for bad input (including
a missing file, a file that is not JSON, or a wrong command line); exit 1 with code internal_error
if the library itself fails, which is a bug to report. INPUT may be "-" for standard input.
Numbers in the JSON are read as exact decimals, never as binary floats.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NoReturn

from .errors import INTERNAL_ERROR, INVALID_INPUT, ScoringError, make_error
from .evaluate import evaluate

USAGE = "usage: python -m scoring evaluate INPUT.json   (INPUT may be - for standard input)"


class _BadJson(ValueError):
    pass


def _reject_constant(name: str) -> NoReturn:
    raise _BadJson(f"{name} is not a number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _BadJson(f"key {key!r} appears twice in one object")
        result[key] = value
    return result


def load_json(text: str) -> Any:
    """Strict JSON: exact decimals, no NaN/Infinity, no repeated keys (an auditor must see one value)."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _emit(payload: dict[str, Any]) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=_default, allow_nan=False)
    # Bytes, so a C or POSIX locale cannot turn the Chinese messages into an encoding error.
    sys.stdout.buffer.write(text.encode("utf-8") + b"\n")
    sys.stdout.flush()


def _fail(code: str, zh: str, en: str) -> int:
    _emit({"errors": [make_error(code, zh, en)]})
    return 2 if code != INTERNAL_ERROR else 1


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8-sig")
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8-sig")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE + "\n")
        return 0
    if len(args) != 2 or args[0] != "evaluate":
        return _fail(INVALID_INPUT, f"命令行参数错误。{USAGE}", f"wrong command line. {USAGE}")
    path = args[1]
    try:
        text = _read(path)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(INVALID_INPUT, f"无法读取输入文件 {path}：{exc}", f"cannot read input file {path}: {exc}")
    try:
        data = load_json(text)
    except (ValueError, RecursionError) as exc:
        return _fail(
            INVALID_INPUT,
            f"输入文件 {path} 不是有效的 JSON：{exc}",
            f"input file {path} is not valid JSON: {exc}",
        )
    try:
        result = evaluate(data)
    except ScoringError as exc:
        _emit({"errors": exc.errors})
        return 2
    except RecursionError:
        return _fail(INVALID_INPUT, "输入嵌套过深", "the input is nested too deeply")
    except Exception as exc:  # a bug in this library: still one JSON object, never a traceback
        return _fail(
            INTERNAL_ERROR,
            f"评分库内部错误（{type(exc).__name__}: {exc}），请报告此问题并附上输入文件",
            f"internal error in the scoring library ({type(exc).__name__}: {exc}); please report it "
            "with the input file",
        )
    _emit(result)
    return 0
