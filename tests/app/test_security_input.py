"""Odd input never makes a 5xx (issue 12, finding 8).

Where a number, a date or a JSON body is expected, anything that is not plain ASCII decimal
in range — superscripts and full-width digits (`str.isdigit()` says yes to both), exponents,
integers past 64 bits or past the int32 of an `Integer` column, dates like 0001-01-01, JSON
nested 5,000 deep — is answered 400 with a Chinese message. The property test drives every
form, query and JSON body in the route table with such values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, is_dataclass
from typing import Any
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.enums import RequestEncodingType
from litestar.params import BodyKwarg, ParameterKwarg
from litestar.routes import HTTPRoute

from app.server import create_app
from app.settings import ROOT
from tests.app.helpers import csrf
from tests.app.test_scoresheets_fixtures import CONSULTATION_BIDS, CONSULTATION_CRITERIA, make_panel, open_and_declare

# Text that looks numeric to str.isdigit(), int() or Decimal() but is not a plain ASCII
# decimal in range, plus dates out of range.
BAD_TEXT = [
    "²", "１２", "٣", "1e5", "1E400", "9" * 30, str(2**64), str(2**63), str(2**31), str(-(2**63) - 1), "-1",
    "0001-01-01", "9999-12-31", "0001-01-01T00:00", "NaN", "Infinity", "0x1F", "1_000", "+7", "3.", " 1 ", "",
    "1\x00", "𝟙",
]
BAD_JSON: list[Any] = [10**30, 2**64, 2**63, 2**31, -(2**63) - 1, 1e308, "²", "１２", "1e5", "0001-01-01", None, [],
                       {}, True, "9" * 30]
DEEP_JSON = "[" * 5000 + "]" * 5000
SKIP = {"POST /logout"}
# Field names the templates post (handlers that read the whole form take these).
TEMPLATE_FIELDS = sorted({m for p in (ROOT / "templates").rglob("*.j2")
                          for m in re.findall(r'name="([A-Za-z_][\w-]*)"', p.read_text(encoding="utf-8"))}
                         | {"v-1-1", "c-1-1", "v-1-2"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    role: str | None
    path_params: tuple[str, ...]
    query: tuple[str, ...]
    form: tuple[str, ...] | None
    """Declared form fields; () for a form read as a whole (dict)."""
    json: tuple[str, ...] | None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _role(handler: Any) -> str | None:
    roles: set[str] = set()
    guarded = False
    for guard in handler.resolve_guards():
        guarded = True
        roles |= set(getattr(guard, "roles", ()))
    if not guarded:
        return None
    if not roles or "agency" in roles:
        return "agency"
    for role in ("expert", "admin", "supervisor", "auditor"):
        if role in roles:
            return role
    return None


def _body_fields(annotation: Any) -> tuple[str, ...]:
    if is_dataclass(annotation):
        return tuple(f.name for f in fields(annotation))
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return tuple(f.name for f in msgspec.structs.fields(annotation))
    return ()


def endpoints() -> list[Endpoint]:
    found = []
    for route in create_app().routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(("/static", "/schema")):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                if f"{method} {route.path}" in SKIP:
                    continue
                path_params, query, form, body = [], [], None, None
                for name, definition in handler.parsed_fn_signature.parameters.items():
                    kwarg = definition.kwarg_definition
                    if name in route.path_parameters:
                        path_params.append(name)
                    elif isinstance(kwarg, ParameterKwarg) or (kwarg is None and name not in {"request", "scope"}
                                                                and definition.annotation in (int, str)):
                        query.append(name)
                    elif isinstance(kwarg, BodyKwarg):
                        if kwarg.media_type == RequestEncodingType.JSON:
                            body = _body_fields(definition.annotation)
                        else:
                            form = _body_fields(definition.annotation)
                if method != "GET" and form is None and body is None:
                    form = ()  # the handler reads the form itself: send it the templates' field names
                found.append(Endpoint(method, route.path, _role(handler), tuple(path_params), tuple(query),
                                      None if form is None else tuple(form), body))
    return found


ENDPOINTS = endpoints()


def test_the_route_table_has_forms_and_json_bodies():
    # Guards against the property test silently driving nothing.
    assert sum(e.form is not None for e in ENDPOINTS) >= 20
    assert any(e.json for e in ENDPOINTS)
    assert any("page" in e.query for e in ENDPOINTS)


@pytest.fixture
async def clients(world, signed_in) -> dict[str | None, Any]:  # type: ignore[no-untyped-def]
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    expert = await signed_in("ex1")
    sheet = await open_and_declare(expert, panel)
    anonymous = await signed_in("auditor")
    await anonymous.post("/logout", headers={"x-csrftoken": anonymous.cookies["csrftoken"]})
    await csrf(anonymous)
    ids = {"review_id": panel.review_id, "project_id": panel.project_id, "sheet_id": sheet,
           "bid_id": panel.bids["A"], "criterion_id": panel.criteria["T1"], "seat_id": panel.seats["ex1"],
           "expert_id": panel.expert_ids["ex1"]}
    return {"agency": await signed_in("agency"), "admin": await signed_in("admin"), "expert": expert,
            "supervisor": await signed_in("supervisor"), "auditor": await signed_in("auditor"),
            None: anonymous, "ids": ids}


def _url(endpoint: Endpoint, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: quote(values[m.group(1)], safe=""), endpoint.path)


async def _send(clients: dict[str | None, Any], endpoint: Endpoint, path_values: dict[str, str],
                query: dict[str, str], form: dict[str, str], body: str | None):  # type: ignore[no-untyped-def]
    client = clients[endpoint.role]
    token = client.cookies.get("csrftoken", "")
    url = _url(endpoint, path_values)
    if endpoint.method == "GET":
        return await client.get(url, params=query, follow_redirects=False)
    if body is not None:
        return await client.request(endpoint.method, url, params=query, content=body.encode(),
                                    headers={"content-type": "application/json", "x-csrftoken": token},
                                    follow_redirects=False)
    return await client.request(endpoint.method, url, params=query, data={**form, "_csrf_token": token},
                                follow_redirects=False)


@settings(max_examples=300, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_no_5xx_from_odd_values_anywhere(clients, data):
    endpoint = data.draw(st.sampled_from(ENDPOINTS), label="endpoint")
    ids = clients["ids"]
    odd_ids = st.sampled_from([v for v in BAD_TEXT if v])
    path_values = {name: data.draw(st.one_of(st.just(str(ids.get(name, 1))), odd_ids), label=name)
                   for name in endpoint.path_params}
    query = {name: data.draw(st.sampled_from(BAD_TEXT), label=name) for name in endpoint.query}
    form: dict[str, str] = {}
    body: str | None = None
    if endpoint.form is not None:
        names = list(endpoint.form) or data.draw(st.lists(st.sampled_from(TEMPLATE_FIELDS), max_size=8), label="names")
        form = {name: data.draw(st.sampled_from([*BAD_TEXT, "1", "yes", "submit"]), label=name) for name in names}
    if endpoint.json is not None:
        if data.draw(st.booleans(), label="deep"):
            body = DEEP_JSON
        else:
            body = json.dumps({name: data.draw(st.sampled_from(BAD_JSON), label=name) for name in endpoint.json})
    response = await _send(clients, endpoint, path_values, query, form, body)
    assert response.status_code < 500, (str(endpoint), path_values, query, form, (body or "")[:80], response.text[:300])


# The findings one by one, with the message people see.

async def _expect_400(response, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, (response.status_code, response.text[:500])
    text = response.json()["detail"] if response.headers["content-type"].startswith("application/json") \
        else response.text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)
    for word in words:
        assert word in text, text[:500]


@pytest.mark.parametrize("value", ["²", "１２", str(2**64), str(2**31), "1e5"])
async def test_odd_numbers_in_the_path_are_400(signed_in, value):
    agency = await signed_in("agency")
    await _expect_400(await agency.get(f"/reviews/{quote(value)}"), "地址")
    await _expect_400(await agency.get(f"/api/reviews/{quote(value)}"))


@pytest.mark.parametrize("value", ["²", "１２", str(2**64), str(2**63), "1e5"])
async def test_odd_page_numbers_are_400(signed_in, value):
    auditor = await signed_in("auditor")
    await _expect_400(await auditor.get("/api/audit", params={"page": value}), "page")
    await _expect_400(await auditor.get("/audit", params={"page": value}))


async def test_dates_out_of_range_are_400(signed_in):
    auditor = await signed_in("auditor")
    for value in ("0001-01-01", "9999-12-31", "２０２６-01-01"):
        response = await auditor.get("/exports", params={"date_from": value})
        await _expect_400(response, "日期")


async def test_json_nested_5000_deep_is_400(signed_in, world):
    panel = await make_panel(world, kind="consultation", criteria=CONSULTATION_CRITERIA, bids=CONSULTATION_BIDS)
    expert = await signed_in("ex1")
    sheet = await open_and_declare(expert, panel)
    headers = {"content-type": "application/json", "x-csrftoken": expert.cookies["csrftoken"]}
    response = await expert.post(f"/api/scoring/sheets/{sheet}/draft", content=DEEP_JSON.encode(), headers=headers)
    await _expect_400(response)
    big = await expert.post(f"/api/scoring/sheets/{sheet}/draft", json={"version": 2**64, "scores": []},
                            headers={"x-csrftoken": expert.cookies["csrftoken"]})
    await _expect_400(big)


def test_parsing_layer_accepts_only_plain_ascii_decimals():
    from app.web import parsing

    assert parsing.plain_int("42") == 42 and parsing.plain_int("-3", low=-10) == -3
    for text in ("²", "１２", "٣", "1e5", "+7", " 1", "1_000", "", str(2**31)):
        assert parsing.plain_int(text) is None, text
    assert parsing.plain_decimal("12.50") is not None and parsing.plain_decimal("1e5") is None
    assert parsing.plain_decimal("１２") is None and parsing.plain_decimal("NaN") is None
    assert parsing.plain_date("2026-11-29") is not None
    assert parsing.plain_date("0001-01-01") is None and parsing.plain_date("２０２６-01-01") is None


