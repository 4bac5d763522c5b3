"""Forms and API shapes for reviews."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from app.reviews.bids import BidInput
from app.reviews.rubrics import CriterionInput
from app.reviews.services import ProjectInput, SettingsInput

__all__ = [
    "BidInput",
    "CriterionInput",
    "ProjectInput",
    "ReviewForm",
    "ReviewOut",
    "SettingsInput",
    "TemplateChoice",
    "TemplateForm",
]


@dataclass
class ReviewForm:
    kind: str = ""
    title: str = ""


@dataclass
class TemplateForm:
    kind: str = ""
    name: str = ""
    description: str = ""
    criteria: str = ""


@dataclass
class TemplateChoice:
    template_id: str = ""


class CriterionOut(msgspec.Struct):
    id: int
    position: int
    name: str
    max_points: str
    group: str
    kind: str
    veto: bool
    guidance: str


class BidOut(msgspec.Struct):
    id: int
    position: int
    supplier_name: str
    title: str
    credit_code: str
    legal_representative: str
    final_quote: str | None
    valid: bool


class ReviewOut(msgspec.Struct):
    id: int
    project_id: int
    project_name: str
    kind: str
    title: str
    status: str
    budget: str
    price_weight: str | None
    category: str
    panel_source: str
    panel_size: int
    purchaser_reps: int
    alternates: int
    require: dict[str, int]
    criteria: list[CriterionOut]
    bids: list[BidOut]
