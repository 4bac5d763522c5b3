"""Projects (工伤预防项目), their reviews (评审), rubrics (评分标准) and what is reviewed (bids/items).

One project keeps all its reviews, so an acceptance review can be read beside the approval
review of the same project. Money is Decimal (元, two places) in `Numeric` columns.
"""

from __future__ import annotations

from enum import Enum

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from app.accounts.tables import Agency, User


class ReviewKind(str, Enum):
    APPROVAL = "approval"
    """立项评审 / 方案评审 — not government procurement; the agency's own library."""
    CONSULTATION = "consultation"
    """竞争性磋商 — government procurement (财库〔2014〕214号)."""
    ACCEPTANCE = "acceptance"
    """评估验收."""


KIND_LABELS = {
    ReviewKind.APPROVAL.value: "立项评审",
    ReviewKind.CONSULTATION.value: "竞争性磋商",
    ReviewKind.ACCEPTANCE.value: "评估验收",
}


class ReviewStatus(str, Enum):
    DRAFT = "draft"
    """筹备中 — rubric, bids and panel being prepared."""
    OPEN = "open"
    """评审中 — opened: names unsealed for the agency, scoring may start (issue 7)."""
    CLOSED = "closed"
    """评分结束."""
    PUBLISHED = "published"
    """结果已公布."""
    TERMINATED = "terminated"
    """终止."""


STATUS_LABELS = {
    ReviewStatus.DRAFT.value: "筹备中",
    ReviewStatus.OPEN.value: "评审中",
    ReviewStatus.CLOSED.value: "评分结束",
    ReviewStatus.PUBLISHED.value: "结果已公布",
    ReviewStatus.TERMINATED.value: "已终止",
}


class PanelSource(str, Enum):
    OWN_LIBRARY = "own_library"
    """本系统专家库抽取 — approval and acceptance reviews."""
    FINANCE_SYSTEM = "finance_system"
    """财政政府采购评审专家库抽取 — 磋商: the names are imported, the legal draw happened there."""
    SELF_SELECTED = "self_selected"
    """自行选定 — 磋商 with recorded 主管预算单位 consent (198号 第13条; 214号 第14条): drawn here."""


SOURCE_LABELS = {
    PanelSource.OWN_LIBRARY.value: "本系统专家库抽取",
    PanelSource.FINANCE_SYSTEM.value: "财政专家库抽取（导入名单）",
    PanelSource.SELF_SELECTED.value: "自行选定（经主管预算单位同意，本系统抽取）",
}


class ProcurementCategory(str, Enum):
    GOODS = "goods"
    """货物 — price weight 30%–60%."""
    SERVICES = "services"
    """服务 — price weight 10%–30%."""
    GOV_SERVICE = "gov_service"
    """政府购买服务 — a service; may continue with 2 suppliers (财库〔2015〕124号)."""
    RESEARCH = "research"
    """科研项目."""
    TECH_TRANSFER = "tech_transfer"
    """科技成果转化项目."""


CATEGORY_LABELS = {
    ProcurementCategory.GOODS.value: "货物",
    ProcurementCategory.SERVICES.value: "服务",
    ProcurementCategory.GOV_SERVICE.value: "政府购买服务",
    ProcurementCategory.RESEARCH.value: "科研项目",
    ProcurementCategory.TECH_TRANSFER.value: "科技成果转化项目",
}


class Project(Table, tablename="project"):
    """工伤预防项目 — one project, with every review it goes through."""

    agency = ForeignKey(references=Agency, index=True)
    code = Varchar(length=50, default="")
    """项目编号 (the agency's own numbering)."""
    name = Varchar(length=200)
    key_industry = Varchar(length=60, default="")
    """重点行业 (e.g. 危险化学品, 建筑施工)."""
    budget = Numeric(digits=(14, 2))
    """预算金额 (元)."""
    purchaser_name = Varchar(length=100)
    """采购人 / 申报单位 — the unit that applies for or buys the project; its staff are 回避."""
    purchaser_credit_code = Varchar(length=18, default="")
    description = Text(default="")
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Review(Table, tablename="review"):
    """评审 — one review of a project: 立项评审, 竞争性磋商 or 评估验收.

    The panel requirements (size, 采购人代表 seats, quotas, alternates) live here; the drawn
    panel lives in app/panels (Draw, PanelSeat).
    """

    project = ForeignKey(references=Project, index=True)
    agency = ForeignKey(references=Agency, index=True)
    """Copied from the project so that scoping never needs a join."""
    kind = Varchar(length=20, choices=ReviewKind)
    title = Varchar(length=200)
    status = Varchar(length=20, choices=ReviewStatus, default=ReviewStatus.DRAFT.value, index=True)
    scheduled_at = Timestamptz(null=True, default=None)
    """评审时间."""
    location = Varchar(length=200, default="")
    # Procurement (磋商) only.
    category = Varchar(length=20, default="")
    """ProcurementCategory value; "" for approval/acceptance."""
    price_weight = Numeric(digits=(5, 4), null=True, default=None)
    """价格权值 as a fraction (0.3000 = 30%); None for approval/acceptance."""
    panel_source = Varchar(length=20, choices=PanelSource, default=PanelSource.OWN_LIBRARY.value)
    self_selection_approval = Varchar(length=300, default="")
    """自行选定: the 主管预算单位's consent (document number and date); required to draw a 磋商 panel here."""
    # Panel requirements.
    panel_size = Integer(default=5)
    """Members in total, 采购人代表 included."""
    purchaser_reps = Integer(default=0)
    """采购人代表 seats (磋商: at least 1)."""
    alternates = Integer(default=2)
    """候补, in substitution order."""
    require = JSON(default={})
    """{specialty code: minimum number of experts}."""
    accept = JSON(default=[])
    """Specialty codes the open seats accept ([] = those in `require`, or anyone when both are empty)."""
    regions = JSON(default=[])
    """州(市) the experts must come from ([] = any)."""
    max_per_org = Integer(default=1)
    """At most this many experts from one employer on the panel (members and alternates)."""
    invitation_hours = Integer(default=24)
    """Deadline for answering an invitation, in hours from sending."""
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class CriterionGroup(str, Enum):
    TECHNICAL = "technical"
    """技术."""
    BUSINESS = "business"
    """商务."""


class CriterionKind(str, Enum):
    OBJECTIVE = "objective"
    """客观分 — must be identical across members."""
    SUBJECTIVE = "subjective"
    """主观分."""


class RubricTemplate(Table, tablename="rubric_template"):
    """评分模板 — a reusable set of criteria; applying it copies the criteria into a review.

    `criteria` is a list of {name, max_points (str), group, kind, veto, guidance}.
    """

    agency = ForeignKey(references=Agency, null=True)
    """None: shared by every agency."""
    kind = Varchar(length=20, choices=ReviewKind)
    name = Varchar(length=100)
    description = Text(default="")
    criteria = JSON(default=[])
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Criterion(Table, tablename="criterion"):
    """评分因素 — one line of a review's rubric; members score it per bid (issue 7)."""

    review = ForeignKey(references=Review, index=True)
    position = Integer(default=1)
    name = Varchar(length=200)
    max_points = Numeric(digits=(6, 2))
    group = Varchar(length=20, choices=CriterionGroup, default=CriterionGroup.TECHNICAL.value)
    kind = Varchar(length=20, choices=CriterionKind, default=CriterionKind.SUBJECTIVE.value)
    veto = Boolean(default=False)
    """否决项 (acceptance): failing it fails the item whatever the points."""
    guidance = Text(default="")
    """评分细则 shown to the experts beside the score box."""
    created_at = Timestamptz(default=TimestamptzNow())


class Bid(Table, tablename="bid"):
    """评审对象 — a supplier's response (磋商 供应商) or an item under review (立项/验收 申报项目).

    For 磋商 `final_quote` is the 最后报价; for items `title` names the item and `supplier_name`
    the applicant or contractor. Scores are kept per expert × bid × criterion (issue 7).
    """

    review = ForeignKey(references=Review, index=True)
    position = Integer(default=1)
    supplier_name = Varchar(length=100)
    """供应商 / 申报单位 / 承接单位."""
    title = Varchar(length=200, default="")
    """Item title (approval/acceptance); "" for a 磋商 response."""
    credit_code = Varchar(length=18, default="")
    """统一社会信用代码."""
    legal_representative = Varchar(length=50, default="")
    """法定代表人."""
    head = Varchar(length=50, default="")
    """负责人."""
    final_quote = Numeric(digits=(14, 2), null=True, default=None)
    """最后报价 (元); None until quoted, and for items."""
    valid = Boolean(default=True)
    """False when the response failed 资格/符合性审查 (or withdrew)."""
    invalid_reason = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
