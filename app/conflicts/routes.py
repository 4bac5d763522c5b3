from app.conflicts.controllers import ConflictApiController, ConflictController
from app.web.nav import NavItem

ROUTES = [ConflictController, ConflictApiController]
NAV = [NavItem("回避检查", "/conflicts/check", frozenset({"admin", "agency", "supervisor", "auditor"}), order=12)]
