from app.accounts.agencies import AgencyAdminController
from app.accounts.controllers import AccountApiController, AccountController, AuthController, UserAdminController
from app.web.nav import ALL_ROLES, NavItem

ROUTES = [AuthController, AccountController, AccountApiController, UserAdminController, AgencyAdminController]
NAV = [
    NavItem("机构管理", "/admin/agencies", frozenset({"admin"}), order=89),
    NavItem("用户管理", "/admin/users", frozenset({"admin"}), order=90),
    NavItem("修改密码", "/account/password", ALL_ROLES, order=99),
]
