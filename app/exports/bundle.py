"""评审包 — the review bundle: one JSON object holding everything needed to re-check a review.

The bundle is plain JSON. Its SHA-256 is taken over `canonical_json` (sorted keys, no spaces,
UTF-8), so key order and indentation of the file do not matter and paper documents can print
it in their footer. The schema below validates structure only; the raw dict is what is hashed
and re-run, so no key is ever dropped or reformatted on the way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import msgspec

from app.audit.chain import canonical_json, canonical_sha256

FORMAT = "pingshen.review-bundle"
VERSION = 1
# A review in any other status is exported as a draft (watermarked 草稿).
FINISHED_STATUSES = frozenset({"finished", "published", "closed"})

Id = str | int


class BundleError(ValueError):
    """A file that is not a readable bundle; the message is Chinese then English."""


class Agency(msgspec.Struct, forbid_unknown_fields=False):
    id: Id
    name: str


class Project(msgspec.Struct, forbid_unknown_fields=False):
    id: Id
    name: str
    code: str = ""
    purchaser: str = ""
    budget: str | None = None
    max_price: str | None = None


class Supplier(msgspec.Struct, forbid_unknown_fields=False):
    name: str
    obtained_at: str | None = None


class Invitation(msgspec.Struct, forbid_unknown_fields=False):
    method: str = ""
    description: str = ""
    suppliers: list[Supplier] = []


class Review(msgspec.Struct, forbid_unknown_fields=False):
    id: Id
    kind: Literal["consultation", "approval", "acceptance"]
    title: str
    agency: Agency
    project: Project
    status: str
    place: str = ""
    opened_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    invitation: Invitation = msgspec.field(default_factory=Invitation)


class Member(msgspec.Struct, forbid_unknown_fields=False):
    expert: Id
    name: str
    org: str = ""
    role: str = "成员"
    source: str = "draw"
    specialties: list[str] = []
    checked_in_at: str | None = None
    pledge_signed_at: str | None = None


class Scoring(msgspec.Struct):
    input: dict[str, Any]
    output: dict[str, Any]


class Replacement(msgspec.Struct, forbid_unknown_fields=False):
    """替换 — `expert` left the seat, `replacement` (an alternate, or null) took it."""

    expert: Id
    replacement: Id | None
    reason: str
    at: str | None = None
    by: str = ""
    panel: Id | None = None


class Draw(msgspec.Struct, forbid_unknown_fields=False):
    id: Id
    input: dict[str, Any]
    seed: int
    output: dict[str, Any]
    operator: str
    supervisor: str
    confirmed_at: str | None = None
    conditions: str = ""
    replacements: list[Replacement] = []


class SheetScore(msgspec.Struct, forbid_unknown_fields=False):
    bid: Id
    criterion: Id
    value: str | int | float
    comment: str = ""


class Sheet(msgspec.Struct, forbid_unknown_fields=False):
    expert: Id
    name: str
    scores: list[SheetScore]
    content_sha256: str
    comments: dict[str, str] = {}
    submitted_at: str | None = None
    signed_at: str | None = None


class Signature(msgspec.Struct, forbid_unknown_fields=False):
    expert: Id
    name: str
    signed_at: str | None = None
    agree: bool = True
    dissent: str = ""
    refused: bool = False


class Qualification(msgspec.Struct, forbid_unknown_fields=False):
    bid: Id
    passed: bool
    notes: str = ""


class AbnormalPriceReview(msgspec.Struct, forbid_unknown_fields=False):
    bid: Id
    triggers: list[str]
    decision: str
    reasons: str = ""
    started_at: str | None = None
    deadline: str | None = None
    explanation: str = ""


class Return(msgspec.Struct, forbid_unknown_fields=False):
    expert: Id
    bid: Id
    reason: str
    criterion: Id | None = None
    old_value: str | None = None
    new_value: str | None = None
    at: str | None = None
    by: str = ""


class RankingNote(msgspec.Struct, forbid_unknown_fields=False):
    bid: Id
    note: str


class AuditRow(msgspec.Struct):
    seq: int
    created_at: str
    actor_id: int | None
    actor: str
    agency_id: int | None
    action: str
    object_type: str
    object_id: str
    old_values: str
    new_values: str
    prev_hash: str
    hash: str


class Bundle(msgspec.Struct, forbid_unknown_fields=False):
    format: str
    version: int
    review: Review
    scoring: Scoring
    panel: list[Member] = []
    draws: list[Draw] = []
    sheets: list[Sheet] = []
    signatures: list[Signature] = []
    qualification: list[Qualification] = []
    abnormal_price_reviews: list[AbnormalPriceReview] = []
    returns: list[Return] = []
    ranking_notes: list[RankingNote] = []
    audit_records: list[AuditRow] = []

    @property
    def finished(self) -> bool:
        return self.review.status in FINISHED_STATUSES


def plain(value: Any) -> Any:
    """JSON-native copy (Decimal → str, datetime → ISO text): what is written is what is hashed."""
    return json.loads(canonical_json(value))


def bundle_sha256(raw: Mapping[str, Any]) -> str:
    """SHA-256 of the bundle's canonical JSON — the figure every document footer prints."""
    return canonical_sha256(raw)


def decimal_text(value: Any) -> str:
    """One text per number (30, 30.0 and "30.00" all give "30"), so a hash does not depend on form."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def sheet_content_sha256(review_id: Any, sheet: Mapping[str, Any]) -> str:
    """内容哈希 of one expert's score sheet: what the expert signs.

    Covers the review id, the expert, every score (bid, criterion, value, comment; sorted) and
    the per-bid comments. The online-scoring area must compute it with this function at signing.
    """
    scores = sorted(
        ({"bid": str(s["bid"]), "criterion": str(s["criterion"]), "value": decimal_text(s["value"]),
          "comment": str(s.get("comment") or "")} for s in sheet.get("scores", [])),
        key=lambda s: (s["bid"], s["criterion"]),
    )
    content = {
        "review": str(review_id),
        "expert": str(sheet["expert"]),
        "scores": scores,
        "comments": {str(k): str(v) for k, v in (sheet.get("comments") or {}).items()},
    }
    return canonical_sha256(content)


def build_bundle(
    *,
    review: Mapping[str, Any],
    scoring_input: Mapping[str, Any],
    scoring_output: Mapping[str, Any],
    panel: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    draws: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    sheets: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    signatures: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    audit_records: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    **record: Any,
) -> dict[str, Any]:
    """Assemble a bundle from plain dicts; `record` takes qualification, abnormal_price_reviews,
    returns and ranking_notes. Sheets without `content_sha256` get it computed here; audit rows
    are kept exactly as stored (created_at as UTC ISO text). Raises BundleError if malformed."""
    filled = []
    for sheet in sheets:
        sheet = dict(sheet)
        sheet.setdefault("content_sha256", sheet_content_sha256(review["id"], sheet))
        filled.append(sheet)
    raw = plain({
        "format": FORMAT,
        "version": VERSION,
        "review": dict(review),
        "panel": list(panel),
        "scoring": {"input": dict(scoring_input), "output": dict(scoring_output)},
        "draws": list(draws),
        "sheets": filled,
        "signatures": list(signatures),
        "audit_records": [_audit_row(r) for r in audit_records],
        **{k: list(v) for k, v in record.items()},
    })
    parse_bundle(raw)
    return raw


def _audit_row(row: Mapping[str, Any]) -> dict[str, Any]:
    from app.audit.chain import timestamp_text

    out = dict(row)
    if not isinstance(out["created_at"], str):
        out["created_at"] = timestamp_text(out["created_at"])
    out.pop("id", None)  # the table's own key is not part of the chain
    return out


def parse_bundle(raw: Any) -> Bundle:
    """Check structure; BundleError names the first problem in Chinese and English."""
    if not isinstance(raw, dict):
        raise BundleError("评审包须为一个 JSON 对象 / a bundle must be one JSON object")
    if raw.get("format") != FORMAT:
        raise BundleError(f"不是评审包（format 应为 {FORMAT}） / not a review bundle (format must be {FORMAT})")
    if raw.get("version") != VERSION:
        raise BundleError(f"不支持的评审包版本 {raw.get('version')!r} / unsupported bundle version")
    try:
        return msgspec.convert(raw, Bundle)
    except msgspec.ValidationError as exc:
        raise BundleError(f"评审包结构有误：{exc} / malformed bundle: {exc}") from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values under one key would let two readers see two different bundles.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BundleError(f"JSON 键 {key!r} 重复 / duplicate JSON key {key!r}")
        out[key] = value
    return out


def load_bundle(path: str | Path) -> tuple[dict[str, Any], Bundle]:
    """Read a bundle file: (raw dict as hashed, validated view). Raises BundleError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"无法读取文件 {path}：{exc} / cannot read {path}") from None
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicate_keys,
                         parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BundleError(f"不是合法的 JSON（第 {exc.lineno} 行）：{exc.msg} / not valid JSON") from None
    return raw, parse_bundle(raw)


def _reject_constant(name: str) -> Any:
    raise BundleError(f"JSON 中不允许 {name} / {name} is not allowed in a bundle")


def dump_bundle(raw: Mapping[str, Any]) -> str:
    """The file form: readable, Chinese kept; the hash does not depend on this layout."""
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, indent=1)
