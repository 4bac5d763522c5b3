"""Locust scenarios against a running Pingshen (start everything with `python -m tests.load.run`).

Environment: LOAD_PLAN (the JSON written by tests.load.seed), LOAD_SCENARIO (scoring | signin |
auditor | saturation), LOAD_SAVE_EVERY (seconds between one expert's saves, default 5),
LOAD_SUBMIT_AFTER (seconds after which an expert submits, default 55; 0 = never), LOAD_ACKS
(a folder where each expert writes what the server acknowledged, checked afterwards).

- scoring: each simulated expert signs in, signs the declaration (承诺书), opens their sheet,
  saves the whole draft every LOAD_SAVE_EVERY seconds (one score changed each time, as the page's
  autosave does) and submits with their password after LOAD_SUBMIT_AFTER seconds.
- signin: the 9:00 storm — every expert signs in once and loads their scoring list.
- auditor: experts scoring as above, plus auditors downloading review documents meanwhile.
- saturation: experts saving with no pause but a fixed rate per user (LOAD_RATE saves/s each).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant, constant_throughput, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
SCENARIO = os.environ.get("LOAD_SCENARIO", "scoring")
SAVE_EVERY = float(os.environ.get("LOAD_SAVE_EVERY", "5"))
SUBMIT_AFTER = float(os.environ.get("LOAD_SUBMIT_AFTER", "55"))
RATE = float(os.environ.get("LOAD_RATE", "1"))
ACKS = Path(os.environ["LOAD_ACKS"]) if os.environ.get("LOAD_ACKS") else None
_SEATS = [(review, username) for review in PLAN["reviews"] for username in review["experts"]]
_next_seat = itertools.count()
_next_address = itertools.count(1)
_lock = threading.Lock()


def _own_address(user: HttpUser) -> None:
    """Each simulated person comes from their own address, as on a real 评审 day (run.py starts the
    server with --proxy, which trusts X-Forwarded-For from 127.0.0.1): otherwise the per-address
    sign-in limit would see 200 people as one. The header is only a label; traffic stays local."""
    with _lock:
        n = next(_next_address)
    user.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def _take_seat() -> tuple[dict[str, Any], str]:
    with _lock:
        n = next(_next_seat)
    if n >= len(_SEATS):
        raise RuntimeError(f"only {len(_SEATS)} experts were seeded; run with fewer users or seed more")
    return _SEATS[n]


class Expert(HttpUser):
    """评审专家: one seat of the seeded plan per simulated user."""

    weight = 20
    wait_time = constant(SAVE_EVERY) if SCENARIO != "saturation" else constant_throughput(RATE)

    def on_start(self) -> None:
        self.review, self.username = _take_seat()
        _own_address(self)
        self.token = ""
        self.sheet_id = 0
        self.version = 0
        self.submitted = SCENARIO == "signin"
        self.started = time.monotonic()
        self.values: dict[tuple[int, int], str] = {}
        self._sign_in()
        if SCENARIO == "signin":
            self.client.get("/scoring", name="GET /scoring (list)")
            return
        with self.client.post(f"/scoring/reviews/{self.review['id']}/declaration", name="POST declaration",
                              data={"conflict": "no", "pledge": "yes", "_csrf_token": self.token},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code not in (303, 409):  # 409: declared in an earlier run
                response.failure(f"declaration {response.status_code}")
        with self.client.get(f"/scoring/reviews/{self.review['id']}/sheet", name="GET sheet (open)",
                             allow_redirects=False, catch_response=True) as response:
            self.sheet_id = int(response.headers.get("location", "/0").rsplit("/", 1)[1])
            if not self.sheet_id:
                response.failure(f"no sheet ({response.status_code})")
        sheet = self.client.get(f"/api/scoring/sheets/{self.sheet_id}", name="GET /api sheet").json()
        self.version = sheet["version"]
        self.submitted = sheet["status"] == "submitted"
        for bid in self.review["bids"]:
            for criterion in self.review["criteria"]:
                self.values[(bid, criterion["id"])] = str(random.randint(0, int(float(criterion["max"]))))

    def _sign_in(self) -> None:
        self.client.get("/login", name="GET /login")
        self.token = self.client.cookies.get("csrftoken", "")
        with self.client.post("/login", name="POST /login (sign in)", allow_redirects=False, catch_response=True,
                              data={"username": self.username, "password": PLAN["password"],
                                    "_csrf_token": self.token}) as response:
            if response.status_code != 303:
                response.failure(f"sign-in {response.status_code}: {response.text[:200]}")
        # Sign-in starts a new session with a new CSRF token (mirrored in the cookie).
        self.token = self.client.cookies.get("csrftoken", "")

    @task
    def work(self) -> None:
        if self.submitted:
            if SCENARIO == "signin":
                self.stop()
            return
        if SUBMIT_AFTER and time.monotonic() - self.started >= SUBMIT_AFTER:
            self._submit()
            return
        key = random.choice(list(self.values))
        self.values[key] = str(random.randint(0, 10))
        scores = [{"bid": b, "criterion": c, "value": v} for (b, c), v in self.values.items()]
        with self.client.post(f"/api/scoring/sheets/{self.sheet_id}/draft", name="POST draft (autosave)",
                              json={"version": self.version, "scores": scores},
                              headers={"x-csrftoken": self.token}, catch_response=True) as response:
            if response.status_code in (200, 201):
                self.version = response.json()["version"]
                self._ack("draft")
            else:
                response.failure(f"draft {response.status_code}: {response.text[:200]}")

    def _submit(self) -> None:
        form = {f"v-{b}-{c}": v for (b, c), v in self.values.items()}
        with self.client.post(f"/scoring/sheets/{self.sheet_id}", name="POST submit (提交并签名)",
                              data={**form, "version": str(self.version), "action": "submit",
                                    "password": PLAN["password"], "_csrf_token": self.token},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code == 303:
                self.submitted = True
                self._ack("submitted")
            else:
                response.failure(f"submit {response.status_code}: {response.text[:200]}")

    def _ack(self, state: str) -> None:
        """What the server acknowledged last: checked against the database after the run."""
        if ACKS is None:
            return
        record = {"sheet": self.sheet_id, "version": self.version, "state": state,
                  "values": {f"{b}-{c}": v for (b, c), v in self.values.items()}}
        (ACKS / f"{self.sheet_id}.json").write_text(json.dumps(record))


class Auditor(HttpUser):
    """审计: downloads every document of a review while experts score."""

    weight = 1 if SCENARIO == "auditor" else 0
    fixed_count = 2 if SCENARIO == "auditor" else 0
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _own_address(self)
        self.client.get("/login", name="GET /login")
        self.client.post("/login", name="POST /login (sign in)", allow_redirects=False,
                         data={"username": PLAN["auditor"], "password": PLAN["password"],
                               "_csrf_token": self.client.cookies.get("csrftoken", "")})

    @task
    def download(self) -> None:
        review = random.choice(PLAN["reviews"])["id"]
        fmt = random.choice(["xlsx", "pdf"])
        self.client.get(f"/exports/reviews/{review}/documents/score-sheets/{fmt}", name=f"GET score-sheets.{fmt}")
        self.client.get(f"/exports/reviews/{review}/bundle", name="GET bundle")


if SCENARIO != "auditor":
    Auditor.abstract = True  # type: ignore[attr-defined]  # not spawned at all outside its scenario


@events.quitting.add_listener
def _summary(environment: Any, **_: Any) -> None:
    environment.process_exit_code = 0  # run.py judges the run from the CSV and the database
