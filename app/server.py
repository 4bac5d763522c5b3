"""The Litestar application factory."""

from __future__ import annotations

from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.logging.config import LoggingConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.static_files import create_static_files_router

from app.areas import route_modules
from app.db import connections
from app.settings import ROOT, get_settings
from app.state.queue import background_jobs
from app.state.store import database_stores
from app.web.errors import handle_http_exception, handle_unexpected
from app.web.middleware import CurrentUserMiddleware, InputMiddleware, security_headers
from app.web.nav import register as register_nav
from app.web.parsing import bad_input_handlers, install_path_parser
from app.web.sessions import RotatingSessionConfig, SessionCSRFMiddleware
from app.web.templating import pages_are_html, template_config


def _routes() -> list[object]:
    handlers: list[object] = []
    for module in route_modules():
        handlers.extend(module.ROUTES)
        register_nav(getattr(module, "NAV", []))
    return handlers


def create_app() -> Litestar:
    settings = get_settings()
    install_path_parser()
    templates = template_config()
    session = RotatingSessionConfig(
        # The cookie lives for a working day at most; the idle timeout is enforced server-side
        # (CurrentUserMiddleware) so an expired session can be told apart from no session.
        key="pingshen_session", max_age=12 * 3600, renew_on_access=False,
        httponly=True, samesite="lax", secure=settings.secure_cookies,
    )
    return Litestar(
        route_handlers=[
            *_routes(),
            create_static_files_router(path="/static", directories=[ROOT / "static"], name="static",
                                       opt={"public": True}, include_in_schema=False),
        ],
        lifespan=[lambda _app: connections(), background_jobs],
        template_config=templates,
        middleware=[session.middleware, SessionCSRFMiddleware(secure=settings.secure_cookies), CurrentUserMiddleware(),
                    InputMiddleware()],
        plugins=[FlashPlugin(config=FlashConfig(template_config=templates))],
        stores=database_stores(),  # sessions and every other store shared by all processes
        openapi_config=OpenAPIConfig(title="评审 Pingshen API", version="0.1.0", path="/schema",
                                     render_plugins=[JsonRenderPlugin()]),
        exception_handlers={HTTPException: handle_http_exception, Exception: handle_unexpected,
                            **bad_input_handlers()},
        after_request=pages_are_html,  # a rendered page is text/html whatever its handler's annotation
        request_max_body_size=settings.max_body_bytes,
        before_send=[security_headers],
        logging_config=LoggingConfig(log_exceptions="never"),
        debug=settings.debug,
    )

