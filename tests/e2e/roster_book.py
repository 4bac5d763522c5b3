"""Fill the downloaded roster template the way an agency would: 60 experts with valid ID numbers.

The ID check digit is computed here from GB 11643 (ISO 7064 MOD 11-2) on its own, not with the
app's code, so a bug there cannot hide itself.
"""

from __future__ import annotations

import io
import random

from openpyxl import load_workbook

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN_M = ["建国", "志强", "海涛", "明亮", "文斌", "国华", "永平", "德胜", "振宇", "立新", "晓东", "光明", "伟", "军",
           "勇", "磊", "涛", "斌", "浩然", "子轩", "俊杰", "鹏飞", "建华", "卫东", "家豪", "云龙", "世杰", "天佑"]
GIVEN_F = ["丽华", "秀英", "晓梅", "春燕", "玉兰", "静怡", "雪梅", "海燕", "红梅", "慧敏", "桂芳", "艳萍", "芳", "静",
           "敏", "婷", "丽", "娜", "欣怡", "雨涵", "梦琪", "佳慧", "晓琳", "思颖", "丹", "倩", "蕾", "颖"]

EMPLOYERS = [
    ("云南省安全生产科学研究院", "昆明市"), ("昆明理工大学", "昆明市"), ("云南省职业病防治院", "昆明市"),
    ("昆明钢铁控股有限公司", "昆明市"), ("云南建投第一建设有限公司", "昆明市"), ("曲靖市第一人民医院", "曲靖市"),
    ("红河州安全生产协会", "红河州"), ("玉溪市交通运输局培训中心", "玉溪市"), ("云南锡业集团安全环保部", "红河州"),
    ("云南财经大学", "昆明市"), ("云南天衡会计师事务所", "昆明市"), ("云南大学法学院", "昆明市"),
]
# (specialty names as the template's 填写说明 lists them, title, level)
PROFILES = [
    (["危险化学品"], "高级工程师", "高级"), (["矿山"], "高级工程师", "高级"),
    (["冶金"], "正高级工程师", "高级"), (["建筑施工"], "高级工程师", "高级"),
    (["交通运输"], "高级工程师", "高级"), (["机械制造"], "工程师", "中级"),
    (["职业卫生/职业病防治"], "主任医师", "高级"), (["宣传培训"], "副教授", "高级"),
    (["财务审计"], "高级会计师", "高级"), (["工伤保险政策"], "副研究员", "高级"),
    (["法律"], "律师", "中级"), (["危险化学品", "职业卫生/职业病防治"], "教授", "高级"),
]


def id_number(rng: random.Random, *, female: bool) -> str:
    area = rng.choice(["530102", "530103", "530111", "530302", "532501", "530402"])
    birth = f"{rng.randint(1962, 1990)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    seq = rng.randint(10, 99) * 10 + rng.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def experts(count: int = 60, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows, names = [], set()
    for i in range(count):
        female = i % 3 == 1
        while True:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_F if female else GIVEN_M)
            if name not in names:
                names.add(name)
                break
        employer, region = EMPLOYERS[i % len(EMPLOYERS)]
        specialties, title, level = PROFILES[i % len(PROFILES)]
        rows.append({
            "姓名": name, "身份证号码": id_number(rng, female=female),
            "手机号码": f"139{rng.randint(10**7, 10**8 - 1)}",
            "电子邮箱": f"expert{i + 1:02d}@example.cn", "工作单位": employer, "职称": title, "职称级别": level,
            "从业年限": str(rng.randint(9, 30)), "州（市）": region, "专业": "、".join(specialties), "状态": "在库",
        })
    return rows


def fill_template(template: bytes, rows: list[dict[str, str]]) -> bytes:
    """The downloaded template with `rows` typed into its 专家名单 sheet, by header."""
    book = load_workbook(io.BytesIO(template))
    sheet = book["专家名单"]
    headers = [str(c.value or "").rstrip("*") for c in sheet[1]]
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            if header in row:
                cell = sheet.cell(row=r, column=c, value=row[header])
                cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
