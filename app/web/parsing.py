"""数字与日期 — the one place where request text becomes a number or a date.

Python is generous: `"²".isdigit()` and `"１２".isdigit()` are true, `int("１２")` is 12,
`Decimal("1e5")` is a number, Python ints have no upper bound and `date(1, 1, 1)` is a date.
The database is not: SQLite stops at 64 bits, a PostgreSQL `integer` column at 31, and date
arithmetic near year 1 overflows. So everything a request carries where a number or a date is
expected goes through here and is accepted only as plain ASCII decimal within range; the
rest is a 400 with a Chinese message, never a 500.

Three layers use these rules:
- path parameters typed `{x:int}` are parsed by `path_int` (installed into Litestar's parser
  table before the app is built);
- query parameters typed `int`, and JSON bodies (depth, integer range), are checked by
  `InputMiddleware` before any handler;
- services and controllers call `plain_int`, `plain_decimal`, `plain_date` for form fields;
and `BAD_INPUT_HANDLERS` turn any overflow that still reaches the database into a 400.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import ClientException

log = logging.getLogger("pingshen.http")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
"""Piccolo's `Integer` and `Serial` are PostgreSQL `integer`: every id and count fits here."""
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""Far wider than any real date here (domain rules such as "not after today" come on top), and
far enough from years 1 and 9999 that date arithmetic cannot overflow."""

_INT = re.compile(r"-?[0-9]{1,10}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,6})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?")


def plain_int(text: str | None, *, low: int = INT32_MIN, high: int = INT32_MAX) -> int | None:
    """An ASCII decimal integer within [low, high]; None for anything else (no sign '+', no spaces)."""
    if not isinstance(text, str) or not _INT.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def is_plain_int(text: str | None) -> bool:
    """What `str.isdigit()` was meant to say: a non-negative ASCII integer that fits a column."""
    return plain_int(text, low=0) is not None


def plain_decimal(text: str | None) -> Decimal | None:
    """An ASCII decimal with at most 15 digits before the point and 6 after; no exponent, NaN or ∞."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        return None
    return Decimal(text)


def _in_range(moment: dt.date) -> bool:
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def plain_date(text: str | None) -> dt.date | None:
    """YYYY-MM-DD in ASCII digits, a real date between 1900 and 2999."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if _in_range(day) else None


def plain_datetime(text: str | None) -> dt.datetime | None:
    """YYYY-MM-DDTHH:MM[:SS] (what `<input type="datetime-local">` sends), between 1900 and 2999."""
    if not isinstance(text, str) or not _DATETIME.fullmatch(text):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if _in_range(moment) else None


def check_json(body: bytes) -> None:
    """Refuse JSON too deep to decode, or carrying integers beyond int32, before a handler decodes it.

    msgspec decodes recursively: a body nested thousands deep raises RecursionError (a 500
    if nobody catches it). Integers are checked on the decoded value, without recursion.
    """
    try:
        value = msgspec.json.decode(body)
    except RecursionError:
        raise ClientException("提交的 JSON 数据嵌套过深，无法处理。") from None
    except msgspec.DecodeError:
        return  # malformed JSON: the handler's own decoding answers 400 with the details
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not INT32_MIN <= item <= INT32_MAX:
            raise bad_number("JSON 数据中的整数", str(item))
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def bad_number(where: str, text: str) -> ClientException:
    shown = text if len(text) <= 24 else text[:24] + "…"
    return ClientException(f"{where}“{shown}”不是有效的数字：须为不超过 {INT32_MAX} 的整数，只用半角数字 0–9")


def path_int(text: str) -> int:
    """Parser for `{x:int}` path parameters: ids are non-negative int32."""
    number = plain_int(text, low=0)
    if number is None:
        raise bad_number("地址中的编号", text)
    return number


def install_path_parser() -> None:
    """Make Litestar parse `{x:int}` with `path_int` (it uses `int()`, which takes '１２' and 2**100).

    Litestar looks the parser up when a route is built, so this runs before the app is.
    """
    from litestar.routes import base

    base.parsers_map[int] = path_int


_OUT_OF_RANGE = "提交的数字或日期超出允许范围，请检查后重新填写（数字只用半角 0–9，日期在 1900–2999 年之间）。"
_TOO_DEEP = "提交的 JSON 数据嵌套过深，无法处理。"


def _as_400(message: str):  # type: ignore[no-untyped-def]
    def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        from app.web.errors import handle_http_exception  # the app's one error page

        log.warning("bad input on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        return handle_http_exception(request, ClientException(message))

    return handler


def _db_data_errors() -> dict[type[Exception], Any]:
    try:
        from asyncpg.exceptions import DataError
    except ImportError:  # pragma: no cover - asyncpg ships with the postgres extra
        return {}
    # "value out of int32 range", "date/time field value out of range": input the parsing
    # layer did not see (a JSON body field, a value passed straight to a query).
    return {DataError: _as_400(_OUT_OF_RANGE)}


def bad_input_handlers() -> dict[type[Exception], Any]:
    """Exception handlers: the last line, for overflow that got past the parsing layer."""
    return {
        OverflowError: _as_400(_OUT_OF_RANGE),  # SQLite: int beyond 64 bits; date arithmetic past year 1/9999
        InvalidOperation: _as_400(_OUT_OF_RANGE),  # Decimal quantize of an absurd exponent
        RecursionError: _as_400(_TOO_DEEP),  # msgspec on JSON nested thousands deep
        **_db_data_errors(),
    }
