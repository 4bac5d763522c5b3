"""Form and API shapes of the export pages."""

from __future__ import annotations

import msgspec


class SeasonForm(msgspec.Struct):
    date_from: str = ""
    date_to: str = ""
    agency: str = ""


class SeasonJob(msgspec.Struct):
    """Progress of a season export: collect (read bundles), render (documents), done or failed."""

    id: str
    state: str
    phase: str
    total: int
    collected: int
    rendered: int
    started_at: str
    finished_at: str | None
    error: str
    filename: str
