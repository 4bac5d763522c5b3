"""Online scoring pages and the autosave API: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from app.accounts.guards import requires_role, requires_signed_in
from app.accounts.tables import Role
from app.reviews.tables import KIND_LABELS, STATUS_LABELS
from app.scoresheets import correction, decisions, finish, panel, setup, sheets
from app.scoresheets.access import FlowError, member_review, reviews_for
from app.scoresheets.entries import Entry
from app.scoresheets.schemas import (
    CorrectionForm,
    DeclarationForm,
    Draft,
    ExplanationForm,
    ExplanationRequestForm,
    LeaderForm,
    PriceReviewForm,
    RankingNoteForm,
    RefusalForm,
    ReturnForm,
    Saved,
    SettingsForm,
    SignatureForm,
)
from app.scoresheets.tables import RETURN_REASON_LABELS, SHEET_STATUS_LABELS
from app.web.parsing import plain_int
from app.web.templating import Page

EXPERT = requires_role(Role.EXPERT)
SUMMARY_READERS = requires_role(Role.EXPERT, Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)
PANEL_ACTORS = requires_role(Role.EXPERT, Role.AGENCY)
AGENCY = requires_role(Role.AGENCY)
RESULT_READERS = requires_role(Role.ADMIN, Role.AGENCY, Role.SUPERVISOR, Role.AUDITOR)

LABELS = {"kinds": KIND_LABELS, "statuses": STATUS_LABELS, "sheet_statuses": SHEET_STATUS_LABELS,
          "reasons": RETURN_REASON_LABELS}


def _int(text: str) -> int | None:
    return plain_int((text or "").strip(), low=0)


def _page(name: str, context: dict[str, Any], status: int = 200) -> Template:
    # Explicit: a handler typed `-> Any` would otherwise send the page as text/plain.
    return Template(f"scoresheets/{name}.html.j2", context={**LABELS, **context}, status_code=status,
                    media_type=MediaType.HTML)


class ScoringPages(Controller):
    path = "/scoring"
    include_in_schema = False

    @get("/", guards=[requires_signed_in])
    async def index(self, request: Request) -> Template:
        return _page("index", {"reviews": await reviews_for(request.user)})

    # --- the member's own work -------------------------------------------------------------

    async def _declaration(self, request: Request, review_id: int, errors: dict[str, str],
                           form: DeclarationForm, status: int = 200) -> Template:
        review, seat = await member_review(request.user, review_id)
        declaration = await sheets.declaration_of(seat.id)
        return _page("declaration", {"review": review, "declaration": declaration, "pledge": sheets.PLEDGE_TEXT,
                                     "errors": errors, "form": form}, status)

    @get("/reviews/{review_id:int}/sheet", guards=[EXPERT])
    async def my_sheet(self, request: Request, review_id: FromPath[int]) -> Page:
        try:
            sheet = await sheets.open_sheet(request.user, review_id)
        except FlowError as exc:
            flash(request, "；".join(exc.errors.values()), category="warning")
            return Redirect("/scoring", status_code=303)
        if sheet is None:
            return await self._declaration(request, review_id, {}, DeclarationForm())
        return Redirect(f"/scoring/sheets/{sheet.id}", status_code=303)

    @post("/reviews/{review_id:int}/declaration", guards=[EXPERT])
    async def declare(self, request: Request, review_id: FromPath[int],
                      data: URLEncodedBody[DeclarationForm]) -> Page:
        try:
            outcome = await sheets.sign_declaration(request.user, review_id, conflict=data.conflict == "yes",
                                                    conflict_text=data.conflict_text, pledge=data.pledge == "yes")
        except FlowError as exc:
            return await self._declaration(request, review_id, exc.errors, data, exc.status_code)
        if outcome["conflict"]:
            flash(request, "已记录您的回避声明，您已退出本次评审；经办人将按顺序递补候补专家。", category="success")
            return Redirect("/scoring", status_code=303)
        flash(request, "已签署回避声明和承诺书，可以开始评分。", category="success")
        return Redirect(f"/scoring/reviews/{review_id}/sheet", status_code=303)

    async def _sheet(self, request: Request, sheet_id: int, errors: dict[str, str],
                     typed: dict[str, Any] | None = None, status: int = 200) -> Template:
        sheet, review = await sheets.own_sheet(request.user, sheet_id)
        page = await sheets.sheet_page(sheet, review)
        return _page("sheet", {**page, "errors": errors, "typed": typed}, status)

    @get("/sheets/{sheet_id:int}", guards=[EXPERT])
    async def sheet_form(self, request: Request, sheet_id: FromPath[int]) -> Template:
        return await self._sheet(request, sheet_id, {})

    @post("/sheets/{sheet_id:int}", guards=[EXPERT])
    async def sheet_post(self, request: Request, sheet_id: FromPath[int],
                         data: URLEncodedBody[dict[str, str]]) -> Page:
        version = _int(data.get("version", "")) or 0
        entries = sheets.entries_from_form(data)
        try:
            if data.get("action") == "submit":
                await sheets.submit(request.user, sheet_id, version, entries, data.get("password", ""))
                flash(request, "评分表已提交并完成电子签名。", category="success")
            else:
                await sheets.save_draft(request.user, sheet_id, version, entries)
                flash(request, "草稿已保存。", category="success")
        except FlowError as exc:
            return await self._sheet(request, sheet_id, exc.errors, data, exc.status_code)
        return Redirect(f"/scoring/sheets/{sheet_id}", status_code=303)

    @post("/notes/{note_id:int}/explanation", guards=[EXPERT])
    async def explain(self, request: Request, note_id: FromPath[int], data: URLEncodedBody[ExplanationForm]) -> Page:
        try:
            note = await sheets.explain(request.user, note_id, data.explanation)
        except FlowError as exc:
            sheet_id = await sheets.note_sheet_id(note_id)
            return await self._sheet(request, sheet_id, exc.errors, None, exc.status_code)
        flash(request, "书面说明已提交。", category="success")
        return Redirect(f"/scoring/sheets/{note.sheet}", status_code=303)

    @get("/reviews/{review_id:int}/report", guards=[EXPERT])
    async def report(self, request: Request, review_id: FromPath[int]) -> Template:
        return _page("report", {**await finish.report_page(request.user, review_id), "errors": {}})

    @post("/reviews/{review_id:int}/signature", guards=[EXPERT])
    async def sign(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[SignatureForm]) -> Page:
        try:
            await finish.sign(request.user, review_id, agree=data.agree != "no", dissent=data.dissent,
                              password=data.password)
        except FlowError as exc:
            page = await finish.report_page(request.user, review_id)
            return _page("report", {**page, "errors": exc.errors, "form": data}, exc.status_code)
        flash(request, "已在评审报告上签字。", category="success")
        return Redirect(f"/scoring/reviews/{review_id}/report", status_code=303)

    # --- the 组长's and agency's summary ---------------------------------------------------

    async def _summary(self, request: Request, review_id: int, errors: dict[str, str] | None = None,
                       status: int = 200) -> Template:
        page = await panel.summary(request.user, review_id)
        return _page("summary", {**page, "errors_form": errors or {}}, status)

    async def _act(self, request: Request, review_id: int, action: Any, done: str) -> Page:
        try:
            await action
        except FlowError as exc:
            return await self._summary(request, review_id, exc.errors, exc.status_code)
        flash(request, done, category="success")
        return Redirect(f"/scoring/reviews/{review_id}", status_code=303)

    @get("/reviews/{review_id:int}", guards=[SUMMARY_READERS])
    async def summary(self, request: Request, review_id: FromPath[int]) -> Template:
        return await self._summary(request, review_id)

    @post("/reviews/{review_id:int}/leader", guards=[AGENCY])
    async def leader(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[LeaderForm]) -> Page:
        return await self._act(request, review_id,
                               setup.choose_leader(request.user, review_id, _int(data.seat_id) or 0), "已登记组长。")

    @post("/reviews/{review_id:int}/settings", guards=[AGENCY])
    async def settings(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[SettingsForm]) -> Page:
        return await self._act(request, review_id, setup.save_settings(
            request.user, review_id, pass_score=data.pass_score, anomaly_threshold=data.anomaly_threshold,
            price_weight_approved=data.price_weight_approved == "yes", version=_int(data.version) or 0),
            "评分设置已保存。")

    @post("/reviews/{review_id:int}/explanations", guards=[PANEL_ACTORS])
    async def ask(self, request: Request, review_id: FromPath[int],
                  data: URLEncodedBody[ExplanationRequestForm]) -> Page:
        return await self._act(request, review_id, panel.request_explanation(
            request.user, review_id, _int(data.sheet_id) or 0, _int(data.bid_id) or 0, _int(data.criterion_id)),
            "已提示该专家作出书面说明。")

    @post("/reviews/{review_id:int}/returns", guards=[PANEL_ACTORS])
    async def send_back(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[ReturnForm]) -> Page:
        return await self._act(request, review_id, panel.return_sheet(
            request.user, review_id, _int(data.sheet_id) or 0, reason=data.reason, note=data.note,
            bid_id=_int(data.bid_id), criterion_id=_int(data.criterion_id), unanimous=data.unanimous == "yes"),
            "评分表已退回重评，原版本已保留。")

    @post("/reviews/{review_id:int}/price-reviews", guards=[PANEL_ACTORS])
    async def price_review(self, request: Request, review_id: FromPath[int],
                           data: URLEncodedBody[PriceReviewForm]) -> Page:
        return await self._act(request, review_id, decisions.record_price_review(
            request.user, review_id, _int(data.bid_id), explanation=data.explanation, received_on=data.received_on,
            decision=data.decision, reasons=data.reasons), "已记录异常低价审查结论。")

    @post("/reviews/{review_id:int}/ties", guards=[PANEL_ACTORS])
    async def tie(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Page:
        return await self._act(request, review_id, decisions.settle_tie(
            request.user, review_id, _int(data.get("rank", "")), data), "已记录并列的处理方式和排序结果。")

    @post("/reviews/{review_id:int}/ranking-notes", guards=[PANEL_ACTORS])
    async def ranking_note(self, request: Request, review_id: FromPath[int],
                           data: URLEncodedBody[RankingNoteForm]) -> Page:
        return await self._act(request, review_id, decisions.save_ranking_note(
            request.user, review_id, _int(data.bid_id), data.note, _int(data.version) or 0), "已保存排序理由。")

    @post("/reviews/{review_id:int}/refusals", guards=[AGENCY])
    async def refusal(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[RefusalForm]) -> Page:
        return await self._act(request, review_id,
                               finish.record_refusal(request.user, review_id, _int(data.seat_id) or 0),
                               "已记录拒签（视为同意）。")

    @post("/reviews/{review_id:int}/publish", guards=[AGENCY])
    async def publish(self, request: Request, review_id: FromPath[int]) -> Page:
        return await self._act(request, review_id, finish.publish(request.user, review_id), "评审结果已公布。")

    @post("/reviews/{review_id:int}/corrections", guards=[AGENCY])
    async def correct(self, request: Request, review_id: FromPath[int], data: URLEncodedBody[CorrectionForm]) -> Page:
        return await self._act(request, review_id, correction.correct_score(
            request.user, review_id, sheet_id=_int(data.sheet_id), bid_id=_int(data.bid_id),
            criterion_id=_int(data.criterion_id), value=data.value, reason=data.reason, note=data.note),
            "已办理更正并公布更正后的结果；原公布版本已保留。")


class ScoringApi(Controller):
    path = "/api/scoring"
    tags = ["在线评分"]

    @get("/sheets/{sheet_id:int}", guards=[EXPERT], operation_id="GetMyScoreSheet",
         summary="本人评分表（草稿或已提交）")
    async def sheet(self, request: Request, sheet_id: FromPath[int]) -> dict[str, Any]:
        sheet, _ = await sheets.own_sheet(request.user, sheet_id)
        return sheets.sheet_json(sheet, await sheets.scores_of(sheet.id))

    @post("/sheets/{sheet_id:int}/draft", guards=[EXPERT], operation_id="SaveScoreSheetDraft",
          summary="自动保存评分草稿（版本不符时拒绝，不覆盖）", status_code=200)
    async def draft(self, request: Request, sheet_id: FromPath[int], data: JSONBody[Draft]) -> Response[Any]:
        entries = [Entry(s.bid, s.criterion, "" if s.value is None else str(s.value), s.comment) for s in data.scores]
        try:
            saved = await sheets.save_draft(request.user, sheet_id, data.version, entries)
        except FlowError as exc:
            return Response({"status_code": exc.status_code, "detail": "；".join(exc.errors.values()),
                             "errors": exc.errors}, status_code=exc.status_code)
        return Response(Saved(**saved))

    @get("/reviews/{review_id:int}/result", guards=[RESULT_READERS], operation_id="GetPublishedResult",
         summary="公布的评审结果：评分输入与输出（可用 python -m scoring evaluate 复核）")
    async def result(self, request: Request, review_id: FromPath[int]) -> dict[str, Any]:
        return await panel.result_json(request.user, review_id)
