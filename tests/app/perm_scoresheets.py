"""Permission rows for online scoring (app/scoresheets). Objects are checked in the services:
a member sees only their own seat and sheet (404 otherwise), the summary is for the 组长 and
the agency of the review, auditors and supervisors read."""

from tests.app.perm_common import SIGNED_IN

EXPERT = frozenset({"expert"})
AGENCY = frozenset({"agency"})
PANEL_ACTORS = frozenset({"expert", "agency"})
SUMMARY_READERS = frozenset({"expert", "admin", "agency", "supervisor", "auditor"})
RESULT_READERS = frozenset({"admin", "agency", "supervisor", "auditor"})

ROWS: dict[str, frozenset[str] | str] = {
    "GET /scoring": SIGNED_IN,
    "GET /scoring/reviews/{review_id:int}/sheet": EXPERT,
    "POST /scoring/reviews/{review_id:int}/declaration": EXPERT,
    "GET /scoring/sheets/{sheet_id:int}": EXPERT,
    "POST /scoring/sheets/{sheet_id:int}": EXPERT,
    "POST /scoring/notes/{note_id:int}/explanation": EXPERT,
    "GET /scoring/reviews/{review_id:int}/report": EXPERT,
    "POST /scoring/reviews/{review_id:int}/signature": EXPERT,
    "GET /scoring/reviews/{review_id:int}": SUMMARY_READERS,
    "POST /scoring/reviews/{review_id:int}/leader": AGENCY,
    "POST /scoring/reviews/{review_id:int}/settings": AGENCY,
    "POST /scoring/reviews/{review_id:int}/explanations": PANEL_ACTORS,
    "POST /scoring/reviews/{review_id:int}/returns": PANEL_ACTORS,
    "POST /scoring/reviews/{review_id:int}/price-reviews": PANEL_ACTORS,
    "POST /scoring/reviews/{review_id:int}/ties": PANEL_ACTORS,
    "POST /scoring/reviews/{review_id:int}/ranking-notes": PANEL_ACTORS,
    "POST /scoring/reviews/{review_id:int}/refusals": AGENCY,
    "POST /scoring/reviews/{review_id:int}/publish": AGENCY,
    "POST /scoring/reviews/{review_id:int}/corrections": AGENCY,
    "GET /api/scoring/sheets/{sheet_id:int}": EXPERT,
    "POST /api/scoring/sheets/{sheet_id:int}/draft": EXPERT,
    "GET /api/scoring/reviews/{review_id:int}/result": RESULT_READERS,
}

PARAMS = {"review_id": "1", "sheet_id": "1", "note_id": "1"}
