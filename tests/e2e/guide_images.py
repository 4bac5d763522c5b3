"""Copy the browser journeys' screenshots that illustrate the user guides into docs/img/guide/.

    make test   (or: .venv/bin/python -m pytest tests/e2e)
    .venv/bin/python -m tests.e2e.guide_images

The guides name the files below; each comes from the journey that walks the same step.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "e2e"
GUIDE = ROOT / "docs" / "img" / "guide"
APPROVAL = "test_approval_review_from_empty_database_to_published_result"
ACCEPTANCE = "test_acceptance_with_a_failed_veto_item"

# guide image → (journey folder, screenshot name without its running number)
IMAGES = {
    "01-admin-agency-created.png": (APPROVAL, "admin-agency-created"),
    "02-admin-users-created.png": (APPROVAL, "admin-users-created"),
    "03-jingban-roster-import-rejected.png": (APPROVAL, "jingban-roster-import-rejected"),
    "04-jingban-roster-import-checked.png": (APPROVAL, "jingban-roster-import-checked"),
    "06-jingban-conflict-check.png": (APPROVAL, "jingban-conflict-check"),
    "07-jingban-review-ready.png": (APPROVAL, "jingban-review-ready"),
    "08-jingban-draw-prepared.png": (APPROVAL, "jingban-draw-prepared"),
    "09-jiandu-draw-confirmed.png": (APPROVAL, "jiandu-draw-confirmed"),
    "10-jingban-panel-open.png": (APPROVAL, "jingban-panel-open"),
    "11-expert2-score-out-of-range.png": (APPROVAL, "expert2-score-out-of-range"),
    "13-expert2-leader-summary.png": (APPROVAL, "expert2-leader-summary"),
    "14-expert4-report-signed.png": (APPROVAL, "expert4-report-signed"),
    "15-jingban-published.png": (APPROVAL, "jingban-published"),
    "16-shenji-auditor-review-files.png": (APPROVAL, "shenji-auditor-review-files"),
    "20-expert-invitation.png": (APPROVAL, "expert1-invitation"),
    "21-expert-declaration.png": (APPROVAL, "expert2-declaration"),
    # The member who scores on a phone (390 × 844); their label is their drawn username.
    "22-expert-phone-scoresheet.png": (ACCEPTANCE, "*-phone-scoresheet"),
}


def main() -> int:
    GUIDE.mkdir(parents=True, exist_ok=True)
    missing = []
    for target, (journey, name) in IMAGES.items():
        found = sorted((SHOTS / journey).glob(f"[0-9][0-9]-{name}.png"))
        if not found:
            missing.append(f"{journey}/{name}")
            continue
        shutil.copyfile(found[0], GUIDE / target)
    for line in missing:
        print(f"missing: {line} (run the browser journeys first)", file=sys.stderr)
    print(f"copied {len(IMAGES) - len(missing)} of {len(IMAGES)} images to {GUIDE}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
