from app.roster.api import ExpertApiController
from app.roster.controllers import RosterController
from app.roster.profile import ProfileController
from app.web.nav import NavItem

ROUTES = [RosterController, ExpertApiController, ProfileController]
NAV = [
    NavItem("专家库", "/roster", frozenset({"admin", "agency", "supervisor", "auditor"}), order=10),
    NavItem("个人资料", "/me/profile", frozenset({"expert"}), order=10),
]
