"""Permission rows for the roster: staff keep it, supervisors and auditors read, experts see only themselves."""

from tests.app.perm_common import READERS

KEEP = frozenset({"admin", "agency"})
EXPERT = frozenset({"expert"})

ROWS = {
    "GET /roster": READERS,
    "GET /roster/export.xlsx": READERS,
    "GET /roster/experts/new": KEEP,
    "POST /roster/experts/new": KEEP,
    "GET /roster/experts/{expert_id:int}": READERS,
    "GET /roster/experts/{expert_id:int}/edit": KEEP,
    "POST /roster/experts/{expert_id:int}/edit": KEEP,
    "POST /roster/experts/{expert_id:int}/status": KEEP,
    "POST /roster/experts/{expert_id:int}/performance": KEEP,
    "POST /roster/experts/{expert_id:int}/ties/{kind:str}": KEEP,
    "POST /roster/experts/{expert_id:int}/ties/{kind:str}/{item_id:int}/delete": KEEP,
    "POST /roster/experts/{expert_id:int}/account/create": KEEP,
    "POST /roster/experts/{expert_id:int}/account/link": KEEP,
    "POST /roster/experts/{expert_id:int}/account/unlink": KEEP,
    "GET /roster/import": KEEP,
    "GET /roster/import/template.xlsx": KEEP,
    "POST /roster/import": KEEP,
    "GET /roster/changes": READERS,
    "POST /roster/changes/{change_id:int}/ack": KEEP,
    "GET /roster/specialties": READERS,
    "POST /roster/specialties": frozenset({"admin"}),
    "GET /api/experts": READERS,
    "GET /api/experts/{expert_id:int}": READERS,
    "GET /api/experts/export.xlsx": READERS,
    "POST /api/experts/import/dry-run": KEEP,
    "POST /api/experts/import": KEEP,
    "GET /me/profile": EXPERT,
    "POST /me/profile": EXPERT,
    "POST /me/ties/{kind:str}": EXPERT,
    "POST /me/ties/{kind:str}/{item_id:int}/delete": EXPERT,
}

PARAMS = {"kind": "relatives"}
