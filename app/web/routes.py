from app.web.home import HomeController
from app.web.nav import NavItem

ROUTES = [HomeController]
NAV = [NavItem("首页", "/", frozenset({"admin", "agency", "supervisor", "expert", "auditor"}), order=0)]
