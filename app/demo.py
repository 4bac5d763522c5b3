"""Demo data: a Yunnan-style provincial roster, a few 州(市) agencies, one user of each role.

Seeded, so two machines loading the demo get the same experts; the demo accounts'
passwords are random per machine and kept in var/demo-accounts.txt.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import string
from collections.abc import Callable

from faker import Faker
from pypinyin import Style, lazy_pinyin

from app.accounts.services import create_agency, create_user
from app.accounts.tables import Agency, User
from app.audit import services as audit
from app.audit.services import SYSTEM
from app.db import write_tx
from app.roster.idcard import check_digit
from app.roster.specialties import ensure_defaults
from app.roster.tables import Expert
from app.settings import get_settings

REGIONS: dict[str, tuple[str, list[str]]] = {
    # 州(市): (行政区划代码 prefix, counties)
    "昆明市": ("5301", ["五华区", "盘龙区", "官渡区", "西山区", "安宁市"]),
    "曲靖市": ("5303", ["麒麟区", "宣威市", "陆良县", "富源县"]),
    "红河州": ("5325", ["蒙自市", "个旧市", "开远市", "弥勒市"]),
    "大理州": ("5329", ["大理市", "祥云县", "宾川县", "鹤庆县"]),
    "楚雄州": ("5323", ["楚雄市", "禄丰市", "武定县", "元谋县"]),
    "玉溪市": ("5304", ["红塔区", "澄江市", "新平县", "易门县"]),
}

AGENCIES = [
    ("云南省社会保险局", "昆明市"),
    ("昆明市社会保险局", "昆明市"),
    ("红河州社会保险局", "红河州"),
    ("大理州社会保险局", "大理州"),
]

EMPLOYER_KINDS = [
    ("{city}安全生产技术服务有限公司", ["safety", "safety.chemical", "safety.mining", "occupational_health"]),
    ("云南{brand}化工有限责任公司", ["safety.chemical", "occupational_health"]),
    ("云南{brand}矿业股份有限公司", ["safety.mining", "safety"]),
    ("{city}{brand}钢铁有限公司", ["safety.metallurgy", "safety.machinery"]),
    ("云南建投第{n}建设有限公司", ["safety.construction", "safety"]),
    ("{city}交通运输集团有限公司", ["safety.transport"]),
    ("{city}{brand}机械制造有限公司", ["safety.machinery"]),
    ("{city}职业病防治院", ["occupational_health"]),
    ("昆明理工大学", ["safety", "safety.mining", "safety.metallurgy", "training"]),
    ("云南大学", ["policy", "law", "training"]),
    ("{city}{brand}会计师事务所（特殊普通合伙）", ["finance"]),
    ("云南{brand}律师事务所", ["law", "policy"]),
    ("{city}人力资源和社会保障局", ["policy", "training"]),
    ("{city}应急管理局", ["safety", "safety.chemical", "safety.construction"]),
]
BRANDS = ["滇中", "南盘江", "金沙", "云岭", "澜沧", "红土", "高原", "彩云", "哀牢", "苍洱", "乌蒙", "抚仙"]
TITLES = {
    "高级": ["正高级工程师", "高级工程师", "教授", "副教授", "高级会计师", "一级律师", "主任医师", "副主任医师"],
    "中级": ["工程师", "讲师", "会计师", "三级律师", "主治医师", "经济师"],
}


def _password(rng: secrets.SystemRandom) -> str:
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(10))
    return f"Ps-{body}{rng.choice(string.digits)}a"


def _id_number(rng: random.Random, prefix4: str, year: int, gender: str) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if gender == "男" else [0, 2, 4, 6, 8])
    first17 = f"{prefix4}{rng.randint(1, 29):02d}{year:04d}{month:02d}{day:02d}{seq:03d}"
    return first17 + check_digit(first17)


def initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def make_experts(count: int, seed: int) -> list[dict]:
    """Plain dicts of demo experts, reproducible from the seed."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    employers: list[tuple[str, list[str], str]] = []
    for i, (pattern, specs) in enumerate(EMPLOYER_KINDS):
        for region in REGIONS:
            brand = BRANDS[(i + len(employers)) % len(BRANDS)]
            name = pattern.format(city=region, brand=brand, n=len(employers) % 15 + 1)
            if all(name != e[0] for e in employers):
                employers.append((name, specs, region))
    experts, seen_ids = [], set()
    for _ in range(count):
        employer, specs, region = rng.choice(employers)
        if rng.random() < 0.3:
            region = rng.choice(list(REGIONS))
        gender = rng.choice("男男女")
        name = fake.name_male() if gender == "男" else fake.name_female()
        year = rng.randint(1958, 1992)
        id_number = _id_number(rng, REGIONS[region][0], year, gender)
        while id_number in seen_ids:
            id_number = _id_number(rng, REGIONS[region][0], year, gender)
        seen_ids.add(id_number)
        level = "高级" if rng.random() < 0.7 else "中级"
        own = rng.sample(specs, k=min(len(specs), rng.randint(1, 2)))
        if rng.random() < 0.3:
            own.append(rng.choice(["training", "policy", "finance", "law"]))
        experts.append({
            "name": name, "name_initials": initials(name), "gender": gender, "birth_year": year,
            "id_number": id_number, "phone": fake.phone_number(),
            "email": f"{initials(name)}{rng.randint(10, 99)}@example.cn",
            "employer": employer, "title": rng.choice(TITLES[level]), "level": level,
            # 中级职称 needs 8 years in the field (198号文 第6条), or the demo would not pass its own import.
            "years_in_field": max(8 if level == "中级" else 0, min(2026 - year - 22, rng.randint(5, 30))),
            "region": region,
            "county": rng.choice(REGIONS[region][1]), "specialties": list(dict.fromkeys(own))[:3],
            "status": "active" if rng.random() < 0.93 else rng.choice(["leave", "suspended", "applied"]),
        })
    return experts


async def load_demo(*, experts: int = 300, seed: int = 2026, if_empty: bool = False,
                    echo: Callable[[str], None] = print) -> None:
    accounts_file = get_settings().data_dir / "demo-accounts.txt"
    if await User.exists().where(User.username == "admin"):
        if not if_empty:
            echo("演示数据已存在，未重复加载。")
        _print_accounts(accounts_file, echo)
        return
    echo("正在加载演示数据……")
    async with write_tx():
        specialties = await ensure_defaults(SYSTEM)
        agencies: dict[str, Agency] = {}
        for name, region in AGENCIES:
            agencies[name] = await create_agency(name, region, actor=SYSTEM)
    echo(f"  机构 {len(agencies)} 个，专业分类 {specialties} 项")

    rows = make_experts(experts, seed)
    batch = 100
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        async with write_tx():
            await Expert.insert(*[Expert(**row) for row in chunk])
            await audit.record(actor=SYSTEM, action="roster.imported", object_type="expert", object_id="demo",
                               new={"count": len(chunk), "source": "demo", "seed": seed})
        echo(f"  专家 {min(start + batch, len(rows))}/{len(rows)}")
    await _demo_ties(seed)

    rng = secrets.SystemRandom()
    city = agencies["昆明市社会保险局"].id
    accounts = [
        ("admin", "系统管理员", "admin", None),
        ("jingban", "李经办", "agency", city),
        ("jiandu", "王监督", "supervisor", city),
        ("zhuanjia", "", "expert", None),
        ("shenji", "赵审计", "auditor", None),
    ]
    lines = []
    first_expert = await Expert.objects().where(Expert.status == "active").order_by(Expert.id).first()
    for username, display, role, agency_id in accounts:
        password = _password(rng)
        user = await create_user(username=username, display_name=display or first_expert.name, role=role,
                                 password=password, agency_id=agency_id, actor=SYSTEM)
        if role == "expert":
            async with write_tx():
                await Expert.update({Expert.user: user.id}).where(Expert.id == first_expert.id)
                await audit.record(actor=SYSTEM, action="expert.account_linked", object_type="expert",
                                   object_id=first_expert.id, new={"user_id": user.id})
        lines.append(f"{role:<11} {username:<10} {password}")
    from app.reviews.demo import load_review_demo  # reviews builds on the accounts above

    await load_review_demo(echo)
    from app.scoresheets.demo import load_scoring_demo  # online scoring: open reviews with demo experts

    lines += await load_scoring_demo(echo, lambda: _password(rng))
    accounts_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(accounts_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# 演示账户（角色 用户名 密码）— demo accounts (role username password)\n" + "\n".join(lines) + "\n")
    echo("演示数据加载完成。")
    _print_accounts(accounts_file, echo)


async def _demo_ties(seed: int) -> None:
    """A few 回避 facts, so the 回避检查 page has something to explain with the demo's own units."""
    from app.roster.tables import Employment, Relative

    rng = random.Random(seed + 1)
    experts = await Expert.select(Expert.id, Expert.employer).order_by(Expert.id)
    employers = sorted({e["employer"] for e in experts})
    async with write_tx():
        for e in rng.sample(experts, k=min(20, len(experts))):
            await Employment.insert(Employment(expert=e["id"], org_name=rng.choice(employers), position="工程师",
                                               start_date=dt.date(2016, 3, 1), end_date=dt.date(2024, 12, 31)))
        for e in rng.sample(experts, k=min(10, len(experts))):
            await Relative.insert(Relative(expert=e["id"], relation="配偶", name=f"演示亲属{e['id']}",
                                           employer=rng.choice(employers)))
        await audit.record(actor=SYSTEM, action="roster.demo_ties", object_type="expert", object_id="demo",
                           new={"employment": 20, "relatives": 10, "seed": seed})


def _print_accounts(path, echo: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    if path.exists():
        echo(f"演示账户（保存在 {path}）：")
        echo(path.read_text().rstrip())
