"""专业分类 — the configurable specialty tree, and resolving what people type to its codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.audit import services as audit
from app.db import write_tx
from app.roster.tables import Specialty

#: Default tree (regulations §5.3: configurable; these are the proposals there).
DEFAULT_SPECIALTIES: list[tuple[str, str, str]] = [
    ("policy", "工伤保险政策", ""),
    ("safety", "安全生产", ""),
    ("safety.chemical", "危险化学品", "safety"),
    ("safety.mining", "矿山", "safety"),
    ("safety.metallurgy", "冶金", "safety"),
    ("safety.construction", "建筑施工", "safety"),
    ("safety.transport", "交通运输", "safety"),
    ("safety.machinery", "机械制造", "safety"),
    ("occupational_health", "职业卫生/职业病防治", ""),
    ("training", "宣传培训", ""),
    ("finance", "财务审计", ""),
    ("law", "法律", ""),
]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


class SpecialtyError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class SpecialtyTree:
    nodes: list[dict[str, Any]]
    by_code: dict[str, dict[str, Any]] = field(init=False)
    _by_name: dict[str, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_code = {n["code"]: n for n in self.nodes}
        self._by_name = {}
        for n in self.nodes:
            self._by_name.setdefault(n["name"], []).append(n["code"])

    def label(self, code: str) -> str:
        node = self.by_code.get(code)
        if node is None:
            return code
        parent = self.by_code.get(node["parent_code"])
        return f"{parent['name']}/{node['name']}" if parent else node["name"]

    def short(self, code: str) -> str:
        node = self.by_code.get(code)
        return node["name"] if node else code

    def resolve(self, token: str) -> tuple[str | None, str | None]:
        """A code for what was typed (code, name, or 上级/名称); else a Chinese reason."""
        token = token.strip()
        if token in self.by_code:
            return token, None
        codes = self._by_name.get(token, [])
        if len(codes) == 1:
            return codes[0], None
        if len(codes) > 1:
            return None, f"专业“{token}”有多个同名项，请写成“上级/专业”"
        for code in self.by_code:
            if self.label(code) == token:
                return code, None
        return None, f"未知专业“{token}”"

    def options(self) -> list[dict[str, Any]]:
        """Tree order: each top-level node followed by its children."""
        tops = sorted((n for n in self.nodes if not n["parent_code"]), key=lambda n: (n["sort_order"], n["code"]))
        out = []
        for top in tops:
            out.append({"code": top["code"], "label": top["name"], "depth": 0})
            kids = [n for n in self.nodes if n["parent_code"] == top["code"]]
            for kid in sorted(kids, key=lambda n: (n["sort_order"], n["code"])):
                out.append({"code": kid["code"], "label": f"{top['name']}/{kid['name']}", "depth": 1})
        return out

    def with_descendants(self, code: str) -> set[str]:
        return {code} | {n["code"] for n in self.nodes if n["parent_code"] == code}


async def load_tree() -> SpecialtyTree:
    return SpecialtyTree(await Specialty.select().order_by(Specialty.sort_order).order_by(Specialty.code))


async def ensure_defaults(actor: Any) -> int:
    """Seed the default tree into an empty table; returns how many nodes were added."""
    async with write_tx():
        if await Specialty.count() > 0:
            return 0
        await Specialty.insert(*[Specialty(code=c, name=n, parent_code=p, sort_order=i)
                                 for i, (c, n, p) in enumerate(DEFAULT_SPECIALTIES)])
        await audit.record(actor=actor, action="specialty.defaults_loaded", object_type="specialty",
                           object_id="tree", new={"codes": [c for c, _, _ in DEFAULT_SPECIALTIES]})
    return len(DEFAULT_SPECIALTIES)


async def add_specialty(actor: Any, *, code: str, name: str, parent_code: str = "") -> None:
    code, name, parent_code = code.strip(), name.strip(), parent_code.strip()
    errors: dict[str, str] = {}
    if not _CODE.match(code) or len(code) > 40:
        errors["code"] = "编码须为小写字母开头的字母、数字、下划线，可用点分层级，不超过 40 位"
    if not name or len(name) > 60 or "/" in name:
        errors["name"] = "名称不能为空、不超过 60 个字符，且不含“/”"
    if errors:
        raise SpecialtyError(errors)
    async with write_tx():
        tree = await load_tree()
        if code in tree.by_code:
            raise SpecialtyError({"code": f"编码“{code}”已存在"})
        if parent_code:
            parent = tree.by_code.get(parent_code)
            if parent is None:
                raise SpecialtyError({"parent_code": f"上级专业“{parent_code}”不存在"})
            if parent["parent_code"]:
                raise SpecialtyError({"parent_code": "专业分类最多两级"})
        if any(n["name"] == name and n["parent_code"] == parent_code for n in tree.nodes):
            raise SpecialtyError({"name": f"同一上级下已有“{name}”"})
        await Specialty.insert(Specialty(code=code, name=name, parent_code=parent_code, sort_order=len(tree.nodes)))
        await audit.record(actor=actor, action="specialty.added", object_type="specialty", object_id=code,
                           new={"code": code, "name": name, "parent_code": parent_code})
