from app.plans.controllers import PlanApiController, PlanController
from app.web.nav import NavItem

ROUTES = [PlanController, PlanApiController]
NAV = [NavItem("评审计划", "/plans", frozenset({"admin", "agency", "supervisor", "auditor"}), order=36)]
