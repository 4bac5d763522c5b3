"""Permission rows for the administrator's agency page."""

ROWS = {
    "GET /admin/agencies": frozenset({"admin"}),
    "POST /admin/agencies": frozenset({"admin"}),
}
