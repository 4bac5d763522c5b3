"""Permission rows for the auditor pages (app/exports). Experts never; agency staff and
supervisors only their own agency's reviews (checked in the service: 404 otherwise); auditors
across agencies (or their own, with PINGSHEN_AUDITOR_SCOPE=agency); admins read."""

from tests.app.perm_common import READERS

ROWS: dict[str, frozenset[str] | str] = {
    "GET /exports": READERS,
    "GET /exports/reviews/{review_id:int}": READERS,
    "GET /exports/reviews/{review_id:int}/documents/{slug:str}/{fmt:str}": READERS,
    "GET /exports/reviews/{review_id:int}/bundle": READERS,
    "GET /exports/reviews/{review_id:int}/archive": READERS,
    "GET /exports/reviews/{review_id:int}/audit": READERS,
    "GET /exports/season": READERS,
    "POST /exports/season": READERS,
    "GET /exports/season/{job_id:str}/download": READERS,
    "GET /api/exports/season/{job_id:str}": READERS,
}

PARAMS = {"slug": "summary", "fmt": "pdf", "job_id": "0" * 32}
