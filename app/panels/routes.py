from app.panels.controllers import (
    DrawController,
    InvitationController,
    MyInvitationController,
    PanelApiController,
    PanelController,
)
from app.web.nav import NavItem

ROUTES = [PanelController, DrawController, InvitationController, MyInvitationController, PanelApiController]
NAV = [
    NavItem("我的邀请", "/my/invitations", frozenset({"expert"}), order=20),
    NavItem("发件箱", "/panels/outbox", frozenset({"admin"}), order=85),
]
