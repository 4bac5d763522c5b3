"""Permission rows for 回避: staff and auditors check and read; staff keep the records."""

from tests.app.perm_common import READERS

KEEP = frozenset({"admin", "agency"})

ROWS = {
    "GET /conflicts": READERS,
    "GET /conflicts/check": READERS,
    "POST /conflicts/check": READERS,
    "POST /conflicts/records": KEEP,
    "POST /conflicts/records/{record_id:int}/revoke": KEEP,
    "POST /conflicts/links": KEEP,
    "POST /api/conflicts/check": READERS,
}
