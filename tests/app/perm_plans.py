"""Permission rows for app/plans (season plans, 评审计划)."""

from tests.app.perm_common import READERS

AGENCY = frozenset({"agency"})
SUPERVISOR = frozenset({"supervisor"})
WITNESSES = frozenset({"supervisor", "auditor"})

ROWS = {
    "GET /plans": READERS,
    "POST /plans": AGENCY,
    "GET /plans/{plan_id:int}": READERS,
    "POST /plans/{plan_id:int}/confirm": SUPERVISOR,
    "POST /plans/{plan_id:int}/cancel": AGENCY,
    "POST /plans/{plan_id:int}/accept": AGENCY,
    "GET /plans/{plan_id:int}/replay": WITNESSES,
    "GET /api/plans/{plan_id:int}/progress": READERS,
}

PARAMS = {"plan_id": "1"}
