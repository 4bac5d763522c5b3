"""Season export: one zip, every review's bundle and documents, progress reported as it goes."""

from __future__ import annotations

import zipfile

from app.exports.bundle import bundle_sha256, dump_bundle
from app.exports.season import export_season

from .exports_fixtures import GENERATED_AT, small_bundle


def test_season_zip_holds_every_document_and_an_index(tmp_path):
    bundles = [small_bundle(21), small_bundle(22, status="scoring")]
    paths = []
    for b in bundles[1:]:  # files are read by the exporter too
        path = tmp_path / f"{b['review']['id']}.json"
        path.write_text(dump_bundle(b), encoding="utf-8")
        paths.append(path)
    seen: list[tuple[int, int | None, str]] = []
    out = tmp_path / "season.zip"
    n = export_season(iter([bundles[0], *paths]), out, generated_at=GENERATED_AT, total=2,
                      progress=lambda done, total, rid: seen.append((done, total, rid)))
    assert n == 2 and seen == [(1, 2, "R00021"), (2, 2, "R00022")]
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        for b in bundles:
            rid = b["review"]["id"]
            for key in ("个人评分表", "评分汇总表", "评审报告", "抽取记录", "签到表及承诺书", "审计记录"):
                assert {f"{rid}/{key}.xlsx", f"{rid}/{key}.pdf"} <= names
            assert f"{rid}/评审包.json" in names
        index = zf.read("清单.csv").decode("utf-8-sig")
    for b in bundles:
        assert bundle_sha256(b) in index
    assert "草稿" in index and "正式" in index


def test_two_workers_give_the_same_files(tmp_path):
    bundles = [small_bundle(31), small_bundle(32)]
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    export_season(bundles, one, generated_at=GENERATED_AT)
    export_season(bundles, two, generated_at=GENERATED_AT, workers=2)
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name.endswith((".pdf", ".json", ".csv")):  # xlsx carries its own save time
                assert a.read(name) == b.read(name), name
