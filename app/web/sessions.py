"""Server-side sessions that get a new id at sign-in.

Litestar keeps the id from the incoming cookie, so a session id planted in a browser before
sign-in would stay valid after it (session fixation). Setting `ROTATE_KEY` in the session
makes the next response store it under a fresh id and delete the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Message
from litestar.utils.dataclass import extract_dataclass_items

ROTATE_KEY = "_rotate_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    async def store_in_message(self, scope_session: Any, message: Message, connection: ASGIConnection) -> None:
        if not (isinstance(scope_session, dict) and scope_session.pop(ROTATE_KEY, False)):
            await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.scope["app"])
        if old_id := connection.cookies.get(self.config.key):
            await self.delete(old_id, store=store)
        new_id = self.generate_session_id()
        await self.set(session_id=new_id, data=self.serialize_data(scope_session, connection.scope), store=store)
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        MutableScopeHeaders.from_message(message).add(
            "Set-Cookie", Cookie(value=new_id, key=self.config.key, **params).to_header(header="")
        )


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class: type[ServerSideSessionBackend] = RotatingSessionBackend  # type: ignore[assignment]
