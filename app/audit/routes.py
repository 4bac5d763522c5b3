from app.audit.controllers import AuditApiController, AuditWebController
from app.web.nav import NavItem

ROUTES = [AuditWebController, AuditApiController]
NAV = [NavItem("审计日志", "/audit", frozenset({"admin", "auditor", "supervisor"}), order=80)]
