"""Input contract: validate the JSON-like input and turn it into NumPy arrays.

Validation collects every problem it finds (not just the first), so an integrator fixing an
export sees the whole list at once. Identifiers are kept exactly as given (string or integer)
and echoed back unchanged in the output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import AssignmentError, invalid

MODES = ("draw", "balanced", "best_match", "randomized")
DEFAULT_Q = 0.5
DEFAULT_ALTERNATES = 2
TOP_KEYS = {"mode", "q", "rules", "experts", "panels", "conflicts"}
RULE_KEYS = {"max_per_org", "load_cap", "yearly_cap"}
PANEL_KEYS = {"id", "size", "require", "accept", "alternates", "exclude_orgs", "regions"}


@dataclass
class Panel:
    """评审组 — one panel to fill. Specialties are indices into ``Problem.specialties``."""

    id: Any
    size: int
    require: list[tuple[int, int]]  # (specialty, minimum members), in input order
    accept: np.ndarray | None  # specialties open seats accept; None = any expert
    alternates: int
    exclude_orgs: np.ndarray  # org codes
    regions: np.ndarray | None  # region codes; None = any region
    conflicts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def required_total(self) -> int:
        return sum(c for _, c in self.require)


@dataclass
class Problem:
    mode: str
    q: float
    max_per_org: int
    expert_ids: list[Any]
    org: np.ndarray  # int64 org code per expert; experts without an org get a code of their own
    org_names: list[str | None]
    region: np.ndarray  # int64 region code, -1 = none given
    has: np.ndarray  # bool experts × specialties
    # Seats this call may still give each expert: min(max_load, load_cap, yearly_cap - prior_load),
    # never below 0. Every solver, the alternates and the final check read only this.
    max_load: np.ndarray  # int64
    available: np.ndarray  # bool
    specialties: list[str]
    panels: list[Panel]
    prior_load: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # seats held this year
    declared_max_load: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    load_cap: int | None = None
    yearly_cap: int | None = None
    region_names: list[str] = field(default_factory=list)  # by region code (the regions panels name)

    @property
    def n_experts(self) -> int:
        return len(self.expert_ids)


def _is_id(v: Any) -> bool:
    return (isinstance(v, str) and v != "") or (isinstance(v, int) and not isinstance(v, bool))


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(s, str) and s != "" for s in v)


def parse(data: Any) -> Problem:
    """Validate ``data`` and build a :class:`Problem`; raise ``AssignmentError`` listing all faults."""
    errs: list[dict[str, Any]] = []
    if not isinstance(data, dict):
        raise AssignmentError([invalid("", "输入必须是 JSON 对象", "input must be a JSON object")])
    for k in sorted(set(data) - TOP_KEYS, key=str):
        errs.append(invalid(str(k), f"未知字段 {k}", f"unknown field {k}"))

    mode = data.get("mode", "draw")
    if mode not in MODES:
        errs.append(invalid("mode", "mode 须为 draw、balanced、best_match 或 randomized",
                            "mode must be draw, balanced, best_match or randomized"))
    q = data.get("q", DEFAULT_Q)
    if q is None:
        q = DEFAULT_Q
    if not isinstance(q, int | float) or isinstance(q, bool) or not (0 < q <= 1):
        errs.append(invalid("q", "q 须为 (0, 1] 内的数", "q must be a number in (0, 1]"))
        q = DEFAULT_Q

    rules = data.get("rules") or {}
    max_per_org = 1
    if not isinstance(rules, dict):
        errs.append(invalid("rules", "rules 须为对象", "rules must be an object"))
    else:
        for k in sorted(set(rules) - RULE_KEYS, key=str):
            errs.append(invalid(f"rules.{k}", f"未知规则 {k}", f"unknown rule {k}"))
        mpo = rules.get("max_per_org", 1)
        if not _is_int(mpo) or mpo < 1:
            errs.append(invalid("rules.max_per_org", "max_per_org 须为正整数",
                                "max_per_org must be a positive integer"))
        else:
            max_per_org = mpo
        for key, zh in (("load_cap", "本次参评次数上限"), ("yearly_cap", "年度参评次数上限")):
            v = rules.get(key)
            if v is not None and (not _is_int(v) or v < 1):
                errs.append(invalid(f"rules.{key}", f"{key}（{zh}）须为正整数", f"{key} must be a positive integer"))
    load_cap = rules.get("load_cap") if isinstance(rules, dict) and _is_int(rules.get("load_cap")) else None
    yearly_cap = rules.get("yearly_cap") if isinstance(rules, dict) and _is_int(rules.get("yearly_cap")) else None

    experts = data.get("experts")
    if not isinstance(experts, list) or not experts:
        errs.append(invalid("experts", "专家库为空或不是列表", "experts must be a non-empty list"))
        experts = []
    panels = data.get("panels")
    if not isinstance(panels, list) or not panels:
        errs.append(invalid("panels", "评审组为空或不是列表", "panels must be a non-empty list"))
        panels = []

    spec_index: dict[str, int] = {}
    org_index: dict[str, int] = {}
    region_index: dict[str, int] = {}

    def spec(name: str) -> int:
        return spec_index.setdefault(name, len(spec_index))

    ids: list[Any] = []
    id_pos: dict[Any, int] = {}
    orgs: list[str | None] = []
    regions: list[str | None] = []
    spec_rows: list[int] = []
    spec_cols: list[int] = []
    loads: list[int] = []
    priors: list[int] = []
    avail: list[bool] = []
    for i, ex in enumerate(experts):
        p = f"experts[{i}]"
        if not isinstance(ex, dict):
            errs.append(invalid(p, "专家须为对象", "expert must be an object"))
            continue
        eid = ex.get("id")
        if not _is_id(eid):
            errs.append(invalid(f"{p}.id", "专家编号须为非空字符串或整数",
                                "expert id must be a non-empty string or an integer"))
            continue
        if eid in id_pos:
            errs.append(invalid(f"{p}.id", f"专家编号重复：{eid}", f"duplicate expert id: {eid}"))
            continue
        org = ex.get("org")
        if org is not None and not (isinstance(org, str) and org):
            errs.append(invalid(f"{p}.org", "工作单位须为字符串", "org must be a string"))
            continue
        reg = ex.get("region")
        if reg is not None and not isinstance(reg, str):
            errs.append(invalid(f"{p}.region", "地区须为字符串", "region must be a string"))
            continue
        sps = ex.get("specialties", [])
        if not _str_list(sps):
            errs.append(invalid(f"{p}.specialties", "专业须为字符串列表",
                                "specialties must be a list of strings"))
            continue
        ml = ex.get("max_load", 1)
        if ml is None:
            ml = 1
        if not _is_int(ml) or ml < 0:
            errs.append(invalid(f"{p}.max_load", "max_load 须为非负整数",
                                "max_load must be a non-negative integer"))
            continue
        prior = ex.get("prior_load", 0)
        if prior is None:
            prior = 0
        if not _is_int(prior) or prior < 0:
            errs.append(invalid(f"{p}.prior_load", "prior_load（本年度已参评次数）须为非负整数",
                                "prior_load must be a non-negative integer"))
            continue
        av = ex.get("available", True)
        if av is None:
            av = True
        if not isinstance(av, bool):
            errs.append(invalid(f"{p}.available", "available 须为布尔值", "available must be a boolean"))
            continue
        row = len(ids)
        id_pos[eid] = row
        ids.append(eid)
        orgs.append(org)
        regions.append(reg or None)
        for s in sps:
            spec_rows.append(row)
            spec_cols.append(spec(s))
        loads.append(ml)
        priors.append(prior)
        avail.append(av)

    parsed_panels: list[Panel] = []
    panel_pos: dict[Any, int] = {}
    n_pool = len(experts)
    for j, pa in enumerate(panels):
        p = f"panels[{j}]"
        if not isinstance(pa, dict):
            errs.append(invalid(p, "评审组须为对象", "panel must be an object"))
            continue
        for k in sorted(set(pa) - PANEL_KEYS, key=str):
            errs.append(invalid(f"{p}.{k}", f"未知字段 {k}", f"unknown field {k}"))
        pid = pa.get("id")
        if not _is_id(pid):
            errs.append(invalid(f"{p}.id", "评审组编号须为非空字符串或整数",
                                "panel id must be a non-empty string or an integer"))
            continue
        if pid in panel_pos:
            errs.append(invalid(f"{p}.id", f"评审组编号重复：{pid}", f"duplicate panel id: {pid}"))
            continue
        size = pa.get("size")
        if not _is_int(size) or size < 1:
            errs.append(invalid(f"{p}.size", "人数须为正整数", "size must be a positive integer"))
            continue
        if n_pool and size > n_pool:
            errs.append(invalid(f"{p}.size", f"评审组 {pid} 需要 {size} 人，专家库只有 {n_pool} 人",
                                f"panel {pid} needs {size} members but the pool has only {n_pool} experts"))
            continue
        req = pa.get("require") or {}
        if not isinstance(req, dict) or not all(
            isinstance(k, str) and k and _is_int(v) and v >= 0 for k, v in req.items()
        ):
            errs.append(invalid(f"{p}.require", "require 须为 {专业: 非负整数}",
                                "require must map specialty to a non-negative integer"))
            continue
        if sum(req.values()) > size:
            errs.append(invalid(f"{p}.require", f"评审组 {pid} 的专业人数之和超过人数 {size}",
                                f"panel {pid}: required counts add up to more than its size {size}"))
            continue
        acc = pa.get("accept")
        if acc is not None and not _str_list(acc):
            errs.append(invalid(f"{p}.accept", "accept 须为字符串列表", "accept must be a list of strings"))
            continue
        alt = pa.get("alternates", DEFAULT_ALTERNATES)
        if alt is None:
            alt = DEFAULT_ALTERNATES
        if not _is_int(alt) or alt < 0:
            errs.append(invalid(f"{p}.alternates", "候补人数须为非负整数",
                                "alternates must be a non-negative integer"))
            continue
        exo = pa.get("exclude_orgs") or []
        if not _str_list(exo):
            errs.append(invalid(f"{p}.exclude_orgs", "exclude_orgs 须为字符串列表",
                                "exclude_orgs must be a list of strings"))
            continue
        regs = pa.get("regions")
        if regs is not None and not _str_list(regs):
            errs.append(invalid(f"{p}.regions", "regions 须为字符串列表",
                                "regions must be a list of strings"))
            continue
        require = [(spec(s), c) for s, c in req.items()]
        # accept defaults to the required specialties; with neither, open seats take anyone.
        acc_names = acc if acc else list(req)
        accept = np.array(sorted({spec(s) for s in acc_names}), dtype=np.int64) if acc_names else None
        panel_pos[pid] = len(parsed_panels)
        parsed_panels.append(Panel(
            id=pid, size=size, require=require, accept=accept, alternates=alt,
            exclude_orgs=np.array(sorted({org_index.setdefault(o, len(org_index)) for o in exo}),
                                  dtype=np.int64),
            regions=(np.array(sorted({region_index.setdefault(r, len(region_index)) for r in regs}),
                              dtype=np.int64) if regs else None),
        ))

    conflicts = data.get("conflicts") or []
    per_panel: list[list[int]] = [[] for _ in parsed_panels]
    if not isinstance(conflicts, list):
        errs.append(invalid("conflicts", "conflicts 须为 [专家编号, 评审组编号] 列表",
                            "conflicts must be a list of [expert_id, panel_id]"))
        conflicts = []
    for k, c in enumerate(conflicts):
        if not (isinstance(c, list) and len(c) == 2 and _is_id(c[0]) and _is_id(c[1])):
            errs.append(invalid(f"conflicts[{k}]", "回避记录须为 [专家编号, 评审组编号]",
                                "conflict must be [expert_id, panel_id]"))
            continue
        e, pn = id_pos.get(c[0]), panel_pos.get(c[1])
        if e is None:
            errs.append(invalid(f"conflicts[{k}]", f"回避记录中的专家编号不存在：{c[0]}",
                                f"unknown expert id in conflict: {c[0]}"))
        if pn is None:
            errs.append(invalid(f"conflicts[{k}]", f"回避记录中的评审组编号不存在：{c[1]}",
                                f"unknown panel id in conflict: {c[1]}"))
        if e is not None and pn is not None:
            per_panel[pn].append(e)
    if errs:
        raise AssignmentError(errs)

    for pa_obj, lst in zip(parsed_panels, per_panel, strict=True):
        pa_obj.conflicts = np.unique(np.array(lst, dtype=np.int64))

    # Experts without an org each get a private code, so the per-org cap never groups them.
    org_codes = np.empty(len(ids), dtype=np.int64)
    org_names: list[str | None] = [None] * len(org_index)
    for name, code in org_index.items():
        org_names[code] = name
    for i, o in enumerate(orgs):
        if o is None:
            org_codes[i] = len(org_names)
            org_names.append(None)
        else:
            if o not in org_index:
                org_index[o] = len(org_names)
                org_names.append(o)
            org_codes[i] = org_index[o]
    region_codes = np.array([region_index.get(r, -1) if r else -1 for r in regions], dtype=np.int64)

    # Specialties are re-numbered in sorted name order so arrays never depend on dict order.
    names = sorted(spec_index)
    remap = np.empty(len(spec_index), dtype=np.int64)
    for new, name in enumerate(names):
        remap[spec_index[name]] = new
    has = np.zeros((len(ids), len(names)), dtype=bool)
    if spec_rows:
        has[np.array(spec_rows), remap[np.array(spec_cols)]] = True
    for pa_obj in parsed_panels:
        pa_obj.require = [(int(remap[s]), c) for s, c in pa_obj.require]
        if pa_obj.accept is not None:
            pa_obj.accept = np.sort(remap[pa_obj.accept])

    declared = np.array(loads, dtype=np.int64)
    prior_load = np.array(priors, dtype=np.int64)
    return Problem(
        mode=mode, q=float(q), max_per_org=max_per_org, expert_ids=ids, org=org_codes,
        org_names=org_names, region=region_codes, has=has,
        max_load=capacity(declared, prior_load, load_cap, yearly_cap), available=np.array(avail, dtype=bool),
        specialties=names, panels=parsed_panels, prior_load=prior_load, declared_max_load=declared,
        load_cap=load_cap, yearly_cap=yearly_cap,
        region_names=sorted(region_index, key=lambda r: region_index[r]),
    )


def capacity(max_load: np.ndarray, prior_load: np.ndarray, load_cap: int | None,
             yearly_cap: int | None) -> np.ndarray:
    """Seats each expert may take in this call. Rotation (轮换): seats already held this year
    count against the yearly cap, so nobody becomes the province's permanent reviewer."""
    cap = max_load.copy()
    if load_cap is not None:
        cap = np.minimum(cap, load_cap)
    if yearly_cap is not None:
        cap = np.minimum(cap, np.maximum(yearly_cap - prior_load, 0))
    return cap
