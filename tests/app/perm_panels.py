"""Permission rows for app/panels (draws, seats, invitations, outbox)."""

from tests.app.perm_common import PUBLIC, READERS

AGENCY = frozenset({"agency"})
STAFF = frozenset({"agency", "supervisor"})
SUPERVISOR = frozenset({"supervisor"})
WITNESSES = frozenset({"supervisor", "auditor"})
EXPERT = frozenset({"expert"})

ROWS = {
    "GET /reviews/{review_id:int}/panel": READERS,
    "POST /reviews/{review_id:int}/panel/draws": AGENCY,
    "POST /reviews/{review_id:int}/panel/import": AGENCY,
    "POST /reviews/{review_id:int}/panel/reps": AGENCY,
    "POST /reviews/{review_id:int}/panel/recheck": STAFF,
    "POST /reviews/{review_id:int}/panel/expire": STAFF,
    "POST /reviews/{review_id:int}/open": AGENCY,
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account": AGENCY,
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account/link": AGENCY,
    "POST /reviews/{review_id:int}/panel/seats/{seat_id:int}/account/unlink": AGENCY,
    "GET /panels/draws/{draw_id:int}": READERS,
    "POST /panels/draws/{draw_id:int}/confirm": SUPERVISOR,
    "POST /panels/draws/{draw_id:int}/cancel": STAFF,
    "GET /panels/draws/{draw_id:int}/replay": WITNESSES,
    "POST /panels/seats/{seat_id:int}/recuse": STAFF,
    "GET /panels/outbox": frozenset({"admin"}),
    "GET /invitations/{token:str}": PUBLIC,
    "POST /invitations/{token:str}/accept": PUBLIC,
    "POST /invitations/{token:str}/decline": PUBLIC,
    "GET /my/invitations": EXPERT,
    "POST /my/invitations/{invitation_id:int}/accept": EXPERT,
    "POST /my/invitations/{invitation_id:int}/decline": EXPERT,
    "GET /api/reviews/{review_id:int}/panel": READERS,
    "GET /api/panels/draws/{draw_id:int}/replay": WITNESSES,
}

PARAMS = {"draw_id": "1", "seat_id": "1", "token": "not-a-token", "invitation_id": "1"}
