"""Permission rows for app/reviews (projects, reviews, rubrics, bids)."""

from tests.app.perm_common import READERS

AGENCY = frozenset({"agency"})

ROWS = {
    "GET /projects": READERS,
    "POST /projects": AGENCY,
    "GET /projects/{project_id:int}": READERS,
    "POST /projects/{project_id:int}/reviews": AGENCY,
    "GET /reviews/{review_id:int}": READERS,
    "POST /reviews/{review_id:int}/settings": AGENCY,
    "POST /reviews/{review_id:int}/rubric": AGENCY,
    "POST /reviews/{review_id:int}/criteria": AGENCY,
    "POST /reviews/{review_id:int}/criteria/{criterion_id:int}/delete": AGENCY,
    "POST /reviews/{review_id:int}/bids": AGENCY,
    "POST /reviews/{review_id:int}/bids/{bid_id:int}/delete": AGENCY,
    "GET /rubrics": READERS,
    "POST /rubrics": AGENCY,
    "GET /api/reviews/{review_id:int}": READERS,
}

PARAMS = {"project_id": "1", "review_id": "1", "criterion_id": "1", "bid_id": "1"}
