"""Forms and JSON shapes for online scoring."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


@dataclass
class DeclarationForm:
    conflict: str = ""
    """"yes" when the member declares a 回避 ground."""
    conflict_text: str = ""
    pledge: str = ""


@dataclass
class ExplanationForm:
    explanation: str = ""


@dataclass
class SignatureForm:
    agree: str = "yes"
    dissent: str = ""
    password: str = ""


@dataclass
class LeaderForm:
    seat_id: str = ""


@dataclass
class SettingsForm:
    pass_score: str = ""
    anomaly_threshold: str = ""
    price_weight_approved: str = ""
    version: str = "0"


@dataclass
class ExplanationRequestForm:
    sheet_id: str = ""
    bid_id: str = ""
    criterion_id: str = ""


@dataclass
class ReturnForm:
    sheet_id: str = ""
    reason: str = ""
    note: str = ""
    bid_id: str = ""
    criterion_id: str = ""
    unanimous: str = ""


@dataclass
class PriceReviewForm:
    bid_id: str = ""
    explanation: str = ""
    received_on: str = ""
    decision: str = ""
    reasons: str = ""


@dataclass
class RankingNoteForm:
    bid_id: str = ""
    note: str = ""
    version: str = "0"


@dataclass
class RefusalForm:
    seat_id: str = ""


@dataclass
class CorrectionForm:
    """更正 after publication: one score of one sheet, the §1.8 reason and the written grounds."""

    sheet_id: str = ""
    bid_id: str = ""
    criterion_id: str = ""
    value: str = ""
    reason: str = ""
    note: str = ""


class DraftScore(msgspec.Struct):
    bid: int | str
    criterion: int | str
    value: str | int | float | None = None
    comment: str = ""


class Draft(msgspec.Struct):
    """自动保存 — the whole draft as typed so far, with the version the page was loaded at."""

    version: int
    scores: list[DraftScore] = []


class Saved(msgspec.Struct):
    version: int
    saved_at: str
    scores: int
