from app.scoresheets.controllers import ScoringApi, ScoringPages
from app.web.nav import NavItem

ROUTES = [ScoringPages, ScoringApi]
NAV = [
    NavItem("在线评分", "/scoring", frozenset({"expert", "agency", "supervisor", "auditor", "admin"}), order=40),
]
