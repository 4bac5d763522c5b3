"""Jinja2 set-up: globals every page uses (current user, navigation, flashes, times)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from app.accounts.tables import ROLE_LABELS
from app.settings import ROOT
from app.web.nav import nav_for

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "北京时间")


def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(CHINA_TIME).strftime(fmt)


def _user(ctx: dict[str, Any]) -> Any:
    return ctx["request"].scope.get("user")


def _flashes(ctx: dict[str, Any]) -> list[dict[str, str]]:
    # get_flashes() from the plugin fails on error pages whose session is not a dict.
    session = ctx["request"].scope.get("session")
    return session.pop("_messages", []) if isinstance(session, dict) else []


def _register(engine: JinjaTemplateEngine) -> None:
    engine.register_template_callable("current_user", _user)
    engine.register_template_callable("flashes", _flashes)
    engine.register_template_callable("nav_items", lambda ctx: nav_for(_user(ctx), ctx["request"].url.path))
    env = engine.engine
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.filters["localtime"] = localtime


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=ROOT / "templates", engine=JinjaTemplateEngine, engine_callback=_register)
