"""评审对象 — 磋商 suppliers' responses (with 最后报价) or the items an approval/acceptance reviews."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.exceptions import NotFoundException

from app.audit import services as audit
from app.db import write_tx
from app.reviews import parsing
from app.reviews.parsing import ReviewError
from app.reviews.services import get_review
from app.reviews.state import Change, ensure_may_change, precheck
from app.reviews.tables import Bid, ReviewKind


@dataclass
class BidInput:
    supplier_name: str = ""
    title: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    head: str = ""
    final_quote: str = ""


async def list_bids(review_id: int) -> list[dict[str, Any]]:
    return await Bid.select().where(Bid.review == review_id).order_by(Bid.position)


async def add_bid(actor: Any, review_id: int, data: BidInput) -> int:
    """Add a supplier (磋商) or an item (立项/验收). Bidders feed the 回避 check of the draw."""
    review = await get_review(actor, review_id)
    await precheck(review, Change.BIDS)
    errors: dict[str, str] = {}
    consultation = review.kind == ReviewKind.CONSULTATION.value
    supplier = parsing.text(data.supplier_name, "supplier_name", "供应商名称" if consultation else "申报（承接）单位",
                            errors, max_len=100)
    title = parsing.text(data.title, "title", "项目（事项）名称", errors, max_len=200, required=not consultation)
    code = parsing.credit_code(data.credit_code, "credit_code", errors)
    legal = parsing.text(data.legal_representative, "legal_representative", "法定代表人", errors, max_len=50,
                         required=False)
    head = parsing.text(data.head, "head", "负责人", errors, max_len=50, required=False)
    quote = parsing.money(data.final_quote, "final_quote", "最后报价", errors, required=False)
    if quote is not None and not consultation:
        errors["final_quote"] = "只有竞争性磋商的供应商有最后报价"
    if errors:
        raise ReviewError(errors)
    async with write_tx():
        await ensure_may_change(review.id, Change.BIDS)
        existing = await Bid.select(Bid.position, Bid.supplier_name, Bid.title).where(Bid.review == review.id)
        if consultation and any(b["supplier_name"] == supplier for b in existing):
            raise ReviewError({"supplier_name": f"供应商“{supplier}”已登记"})
        bid = Bid(review=review.id, position=max((b["position"] for b in existing), default=0) + 1,
                  supplier_name=supplier, title=title, credit_code=code, legal_representative=legal, head=head,
                  final_quote=quote)
        await bid.save()
        await audit.record(actor=actor, action="review.bid_added", object_type="review", object_id=review.id,
                           agency_id=review.agency,
                           new={"bid_id": bid.id, "supplier_name": supplier, "title": title, "credit_code": code,
                                "legal_representative": legal, "head": head,
                                "final_quote": str(quote) if quote is not None else None})
        # A bidder known only now may conflict with experts already drawn: recuse them in this transaction.
        from app.conflicts.recheck import recheck_review_after_bids

        recused = await recheck_review_after_bids(actor, review)
    if recused:
        from app.conflicts.recheck import deliver_mail

        await deliver_mail()
    return bid.id


async def delete_bid(actor: Any, review_id: int, bid_id: int) -> None:
    review = await get_review(actor, review_id)
    await precheck(review, Change.BIDS)
    row = await Bid.select().where((Bid.id == bid_id) & (Bid.review == review.id)).first()
    if row is None:
        raise NotFoundException("评审对象不存在")
    async with write_tx():
        await ensure_may_change(review.id, Change.BIDS)
        await Bid.delete().where(Bid.id == bid_id)
        await audit.record(actor=actor, action="review.bid_deleted", object_type="review", object_id=review.id,
                           agency_id=review.agency, old={"bid_id": bid_id, "supplier_name": row["supplier_name"],
                                                         "title": row["title"]})
