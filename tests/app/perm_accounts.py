"""Permission rows for the administrator's agency and user pages."""

ADMIN = frozenset({"admin"})

ROWS = {
    "GET /admin/agencies": ADMIN,
    "POST /admin/agencies": ADMIN,
    "POST /admin/agencies/{agency_id:int}/rename": ADMIN,
    "POST /admin/agencies/{agency_id:int}/status": ADMIN,
    "GET /admin/users/{user_id:int}": ADMIN,
    "POST /admin/users/{user_id:int}/edit": ADMIN,
    "POST /admin/users/{user_id:int}/status": ADMIN,
    "POST /admin/users/{user_id:int}/reset": ADMIN,
}
