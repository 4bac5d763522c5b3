"""Jinja2 set-up: globals every page uses (current user, navigation, flashes, times), and
the one rule that a rendered page is served as text/html.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any, TypeAlias

from litestar import MediaType, Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from app.accounts.tables import ROLE_LABELS
from app.audit.labels import action_label, change_rows, object_label
from app.settings import ROOT
from app.web import formatting
from app.web.nav import nav_for
from app.web.who import OUTSIDE_ROSTER, ROSTER_ONLY, role_label

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "北京时间")

# What a page handler returns: the page (also its error re-render, status 400/409) or a redirect
# after a successful POST. Handlers are typed with this instead of `Any`: Litestar gives a handler
# typed `-> Any` the media type application/json, and a Template it returns is then sent as JSON.
Page: TypeAlias = Template | Redirect


def is_html_template(response: Response[Any]) -> bool:
    """A Template rendering an .html template, with no media type chosen by its handler's code."""
    if not isinstance(response, Template) or response.media_type:
        return False
    return ".html" in PurePath(response.template_name or "").suffixes or response.template_str is not None


async def pages_are_html(response: Response[Any]) -> Response[Any]:
    """App-wide after_request hook: every rendered page answers Content-Type text/html.

    Why a hook as well as the `Page` annotation: the media type of a returned Template falls
    back to its *handler's* media type, and that is application/json for any handler whose
    annotation Litestar does not recognise as a response (`Any`, a helper's alias, a union with
    a data type). One hook on the app covers every handler, present and future, whatever its
    annotation, and the browser never gets a page as JSON source. The JSON API never returns
    a Template (it returns data), so /api is unaffected. tests/app/test_pages_html.py checks
    that no controller or route installs an after_request of its own (which would replace this
    one: Litestar uses only the innermost layer's hook) and that every page answers text/html.
    """
    if is_html_template(response):
        response.media_type = MediaType.HTML
    return response


localtime = formatting.beijing  # kept as a name: pages call `| localtime`


def _user(ctx: dict[str, Any]) -> Any:
    return ctx["request"].scope.get("user")


def _flashes(ctx: dict[str, Any]) -> list[dict[str, str]]:
    # get_flashes() from the plugin fails on error pages whose session is not a dict.
    session = ctx["request"].scope.get("session")
    return session.pop("_messages", []) if isinstance(session, dict) else []


def _nav(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    scope = ctx["request"].scope
    items = nav_for(_user(ctx), ctx["request"].url.path)
    if scope.get(OUTSIDE_ROSTER):
        items = [i for i in items if i["href"] not in ROSTER_ONLY]
    return items


def _register(engine: JinjaTemplateEngine) -> None:
    engine.register_template_callable("current_user", _user)
    engine.register_template_callable("flashes", _flashes)
    engine.register_template_callable("nav_items", _nav)
    engine.register_template_callable("role_label", lambda ctx: role_label(ctx["request"].scope))
    env = engine.engine
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    formatting.register(env)
    env.filters["action_label"] = action_label
    env.filters["object_label"] = object_label
    env.globals["change_rows"] = change_rows


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=ROOT / "templates", engine=JinjaTemplateEngine, engine_callback=_register)
