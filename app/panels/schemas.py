"""Forms and API shapes for panels."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


@dataclass
class ReasonForm:
    reason: str = ""


@dataclass
class RepForm:
    rep_name: str = ""
    rep_org: str = ""


@dataclass
class AccountForm:
    username: str = ""


@dataclass
class ImportForm:
    names: str = ""
    reference: str = ""


class SeatOut(msgspec.Struct):
    id: int
    role: str
    state: str
    seat_no: int
    drawn_order: int
    name: str
    org: str


class PanelOut(msgspec.Struct):
    review_id: int
    names_visible: bool
    needed: int
    accepted: int
    invited: int
    standby: int
    vacant: list[int]
    complete: bool
    seats: list[SeatOut]


class ReplayOut(msgspec.Struct):
    draw_id: int
    seed: int
    ok: bool
    input_ok: bool
    pool_ok: bool
    panels_equal: bool
    input_sha256_recorded: str
    input_sha256_recomputed: str
    recorded_panels: list[dict]
    replayed_panels: list[dict]
