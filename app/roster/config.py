"""Roster rules an operator may change (regulations §3.1, §5.3: configurable, defaults proposed).

Read from the environment once, like app/settings.py, so a province sets its own limits
without a code change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class RosterRules:
    age_limit: int
    """198号文 第6条: 年龄在70周岁以下 (以下 includes 70 in Chinese legal usage)."""
    max_specialties: int
    """At most this many specialties per expert (Yunnan draft: 3)."""
    min_years_intermediate: int
    """198号文 第6条: 中级职称 needs this many years in the field (高级 needs none)."""
    conflict_window_years: int
    """198号文 第16条: 参加采购活动前3年内."""
    page_size: int = 50


@lru_cache(maxsize=1)
def rules() -> RosterRules:
    env = os.environ.get
    return RosterRules(
        age_limit=int(env("PINGSHEN_EXPERT_AGE_LIMIT", "70")),
        max_specialties=int(env("PINGSHEN_MAX_SPECIALTIES", "3")),
        min_years_intermediate=int(env("PINGSHEN_MIN_YEARS_INTERMEDIATE", "8")),
        conflict_window_years=int(env("PINGSHEN_CONFLICT_WINDOW_YEARS", "3")),
    )
