"""Home page (sign-in for visitors, a role's start page otherwise) and the health check."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from app.web.nav import nav_for
from app.web.who import OUTSIDE_ROSTER, ROSTER_ONLY

PUBLIC = {"public": True}


class HomeController(Controller):
    include_in_schema = False

    @get("/", opt=PUBLIC)
    async def home(self, request: Request) -> Template:
        user = request.scope.get("user")
        if user is None:
            return Template("home/welcome.html.j2")
        from app.web.queues import queue_for  # lazy: the areas import app.web at start-up

        return Template("home/index.html.j2", context={
            "tiles": [i for i in nav_for(user, "") if i["href"] != "/"
                      and not (request.scope.get(OUTSIDE_ROSTER) and i["href"] in ROSTER_ONLY)],
            "queues": await queue_for(user)})

    @get("/health", opt=PUBLIC, include_in_schema=True, tags=["系统"], operation_id="Health")
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}
