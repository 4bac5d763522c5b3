"""``python -m assignment solve INPUT.json [--seed N]``: one JSON object on stdout.

Exit 0 with the result; exit 2 with ``{"errors": [...]}`` for invalid or infeasible input,
usage mistakes and anything unexpected. Never a traceback. Progress lines go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, NoReturn

from .core import new_seed, solve
from .errors import INTERNAL_ERROR, INVALID_INPUT, AssignmentError

USAGE = "python -m assignment solve INPUT.json [--seed N] [--quiet]   (INPUT.json may be - for stdin)"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise AssignmentError([{"code": "usage", "message": f"用法错误：{message} / usage: {USAGE}"}])


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.flush()


def _seed(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError("seed must be a non-negative integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError("seed must be a non-negative integer")
    return value


def _read(path: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    except OSError as exc:
        raise AssignmentError([{"code": INVALID_INPUT, "path": "",
                                "message": f"无法读取输入文件：{path} / cannot read input file {path}: "
                                           f"{exc.strerror}"}]) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise AssignmentError([{"code": INVALID_INPUT, "path": "",
                                "message": f"输入不是合法的 UTF-8 JSON / input is not valid UTF-8 JSON: {exc}"}]
                              ) from None


def main(argv: list[str] | None = None) -> int:
    start = time.perf_counter()
    try:
        parser = _Parser(prog="python -m assignment", description="评审专家抽取与分配 / draw and assign panels")
        sub = parser.add_subparsers(dest="command", required=True)
        p_solve = sub.add_parser("solve", help="solve one input file")
        p_solve.add_argument("input")
        p_solve.add_argument("--seed", type=_seed, default=None)
        p_solve.add_argument("--quiet", action="store_true", help="no progress on stderr")
        args = parser.parse_args(argv)

        def progress(line: str) -> None:
            if not args.quiet:
                print(f"[assignment {time.perf_counter() - start:6.2f}s] {line}", file=sys.stderr, flush=True)

        seed = args.seed if args.seed is not None else new_seed()
        _emit(solve(_read(args.input), seed, progress))
        return 0
    except AssignmentError as exc:
        _emit(exc.to_json())
        return 2
    except (Exception, KeyboardInterrupt) as exc:  # never a traceback, whatever happens
        _emit({"errors": [{"code": INTERNAL_ERROR,
                           "message": f"内部错误 / internal error: {type(exc).__name__}: {exc}"}]})
        return 2
