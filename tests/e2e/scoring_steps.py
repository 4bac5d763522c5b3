"""Online scoring steps: declaration, the score sheet, explanations, signatures, publication."""

from __future__ import annotations

from tests.e2e.people import Person


def declare(expert: Person, review_title: str) -> None:
    """The member opens the review from 在线评分 and signs the 回避声明与承诺书."""
    expert.goto("/scoring")
    expert.sees(review_title)
    expert.page.get_by_role("row").filter(has_text=review_title).get_by_role("link", name="评分").click()
    expert.page.wait_for_load_state()
    expert.sees("回避声明与承诺书")
    expert.shot("declaration")
    expert.page.locator("input[name=conflict][value=no]").check()
    expert.page.locator("input[name=pledge]").check()
    expert.click("签署并继续")
    expert.sees("已签署回避声明和承诺书", selector="body")
    expert.sees("评分表")


def score_box(expert: Person, criterion: str, bid_index: int = 0) -> object:
    """The score box a member reads as `criterion` (accessible name) in the `bid_index`-th section."""
    section = expert.page.locator("#scoresheet section").nth(bid_index)
    return section.get_by_role("textbox", name=f"· {criterion} 得分", exact=False).first


def type_scores(expert: Person, scores: dict[str, str], bid_index: int = 0) -> None:
    # The sheet's checks and autosave come from a deferred script: type only once it has run.
    expert.page.wait_for_load_state("load")
    for criterion, value in scores.items():
        box = score_box(expert, criterion, bid_index)
        box.fill(value)  # type: ignore[attr-defined]
        box.blur()  # type: ignore[attr-defined]


def wait_autosaved(expert: Person) -> None:
    from playwright.sync_api import expect

    expect(expert.page.locator("[data-autosave-status], #autosave-status").first).to_contain_text(
        "已自动保存", timeout=15_000)


def submit_sheet(expert: Person, password: str) -> None:
    expert.page.once("dialog", lambda dialog: dialog.accept())
    expert.page.locator("#scoresheet input[name=password]").fill(password)
    expert.page.get_by_role("button", name="提交并签名").click()
    expert.page.wait_for_load_state()
    expert.sees("评分表已提交并完成电子签名", selector="body")


def sign_report(member: Person, review_id: str, password: str, *, dissent: str = "") -> None:
    member.goto(f"/scoring/reviews/{review_id}/report")
    member.sees("评审报告与签字")
    if dissent:
        member.page.locator("input[name=agree][value=no]").check()
        member.page.locator("#dissent").fill(dissent)
    member.page.locator("#password").fill(password)
    member.click("签字")
    member.sees("已在评审报告上签字", selector="body")
