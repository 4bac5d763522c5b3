from app.exports.controllers import ExportApi, ExportPages
from app.web.nav import NavItem

ROUTES = [ExportPages, ExportApi]
NAV = [NavItem("归档导出", "/exports", frozenset({"admin", "agency", "supervisor", "auditor"}), order=60)]
