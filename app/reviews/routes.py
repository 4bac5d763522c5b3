from app.reviews.controllers import ProjectController, ReviewApiController, ReviewController, RubricController
from app.web.nav import NavItem

ROUTES = [ProjectController, ReviewController, RubricController, ReviewApiController]
NAV = [
    NavItem("项目评审", "/projects", frozenset({"admin", "agency", "supervisor", "auditor"}), order=30),
    NavItem("评分模板", "/rubrics", frozenset({"agency", "supervisor"}), order=35),
]
