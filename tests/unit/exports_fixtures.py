"""Small review bundles built by the real scoring.evaluate and assignment.solve (no stored outputs)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.exports.bundle import dump_bundle
from app.exports.sample import sample_bundle

GENERATED_AT = "2026-11-23T10:00:00+08:00"


def small_bundle(seed: int = 11, status: str = "published") -> dict[str, Any]:
    """5 experts, 4 bids, 6 criteria, a pool of 40: every document has something in it, fast."""
    return sample_bundle(seed, experts=(5, 5), bids=(4, 4), criteria=(6, 6), pool=40, status=status)


def write(bundle: dict[str, Any], folder: Path, name: str = "bundle.json") -> Path:
    path = folder / name
    path.write_text(dump_bundle(bundle), encoding="utf-8")
    return path


def tampered(bundle: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(bundle)


def subtotal(bundle: dict[str, Any], expert: str, bid: str) -> Decimal:
    return sum((Decimal(str(s["value"])) for s in bundle["scoring"]["input"]["scores"]
                if str(s["expert"]) == expert and str(s["bid"]) == bid), Decimal(0))


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
