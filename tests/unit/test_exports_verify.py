"""`pingshen verify`: an intact bundle passes; each kind of tampering fails on exactly its item."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.exports.bundle import bundle_sha256, load_bundle
from app.exports.verify import verify_bundle

from .exports_fixtures import small_bundle, tampered, write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle() -> dict:
    return small_bundle()


def cli(path: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PINGSHEN_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run([sys.executable, "-m", "app.cli", "verify", str(path), *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def mismatches(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("[不符 MISMATCH]")]


def test_intact_bundle_verifies_from_the_command_line(bundle, tmp_path):
    path = write(bundle, tmp_path)
    done = cli(path, tmp_path, "--sha256", bundle_sha256(bundle))
    assert done.returncode == 0, done.stdout + done.stderr
    assert mismatches(done.stdout) == []
    assert bundle_sha256(bundle) in done.stdout and "全部" in done.stdout and "all" in done.stdout
    # every kind of item is reported, in both languages
    for label in ("评分重算 scoring re-run", "内容哈希 content hash", "随机种子 seed", "正选 members",
                  "审计记录 audit record", "编号递增 seq increasing"):
        assert label in done.stdout


def test_tampered_score_fails_on_that_score_only(bundle, tmp_path):
    bad = tampered(bundle)
    scores = bad["scoring"]["input"]["scores"]
    target = next(s for s in scores if s["value"] >= 1)
    target["value"] = target["value"] - 1 if isinstance(target["value"], int) else target["value"] - 0.5
    done = cli(write(bad, tmp_path), tmp_path)
    assert done.returncode == 1
    lines = mismatches(done.stdout)
    # the re-run disagrees on that bid's figures, and the signed sheet disagrees on that very cell
    assert any(f"投标 {target['bid']} bid {target['bid']}" in line for line in lines)
    cell = [line for line in lines if "评分表" in line]
    assert len(cell) == 1 and f"专家 expert {target['expert']}" in cell[0]
    assert f"投标 bid {target['bid']} 评分项 criterion {target['criterion']}" in cell[0]
    assert all("抽取" not in line and "审计" not in line and "内容哈希" not in line for line in lines)


def test_score_changed_on_a_signed_sheet_breaks_its_content_hash(bundle):
    bad = tampered(bundle)
    sheet = bad["sheets"][2]
    sheet["scores"][0]["value"] = 0
    report = verify_bundle(bad, load_bundle_from(bad))
    failed = report.failures
    assert {f.item for f in failed} == {"内容哈希 content hash", "与评分输入一致 agrees with the scoring input"}
    assert all(f"专家 expert {sheet['expert']}" in f.section for f in failed)


def test_altered_audit_record_fails_on_that_record(bundle, tmp_path):
    bad = tampered(bundle)
    row = bad["audit_records"][1]
    row["new_values"] = row["new_values"].replace("submitted", "approved")
    done = cli(write(bad, tmp_path), tmp_path)
    assert done.returncode == 1
    lines = mismatches(done.stdout)
    assert len(lines) == 1 and f"#{row['seq']} " in lines[0] and "record altered" in lines[0]


def test_reordered_or_relinked_audit_records_are_caught(bundle):
    bad = tampered(bundle)
    bad["audit_records"][0], bad["audit_records"][1] = bad["audit_records"][1], bad["audit_records"][0]
    assert [f.item for f in verify_bundle(bad, load_bundle_from(bad)).failures] == ["编号递增 seq increasing"]
    # a link between two consecutive global numbers is checked
    bad = tampered(bundle)
    rows = bad["audit_records"]
    import datetime as dt

    from app.audit.chain import record_hash

    nxt = dict(rows[0], seq=rows[0]["seq"] + 1, prev_hash="f" * 64, action="x.inserted")
    nxt["hash"] = record_hash({**nxt, "created_at": dt.datetime.fromisoformat(nxt["created_at"])})
    if rows[1]["seq"] == nxt["seq"]:
        rows[1] = nxt
    else:
        rows.insert(1, nxt)
    failures = verify_bundle(bad, load_bundle_from(bad)).failures
    assert [f.item for f in failures] == ["相邻记录链接 links between consecutive records"]


def test_altered_draw_seed_fails_on_the_draw(bundle, tmp_path):
    bad = tampered(bundle)
    bad["draws"][0]["seed"] += 1
    done = cli(write(bad, tmp_path), tmp_path)
    assert done.returncode == 1
    lines = mismatches(done.stdout)
    assert lines and all("抽取 draw" in line for line in lines)
    assert any("随机种子 seed" in line for line in lines)


def test_draw_replayed_with_recorded_seed_but_changed_pool_fails(bundle):
    bad = tampered(bundle)
    bad["draws"][0]["input"]["experts"].pop()
    items = {f.item for f in verify_bundle(bad, load_bundle_from(bad)).failures}
    assert "输入哈希 input_sha256" in items


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"format": "other"}',
                                     '{"a": 1, "a": 2}', '{"format": "pingshen.review-bundle", "version": 1}'])
def test_unreadable_bundle_exits_2_without_traceback(content, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    done = cli(path, tmp_path) if content == "not json" else None
    if done is not None:
        assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr and "无法校验" in done.stdout
        return
    from app.exports.verify import run

    out: list[str] = []
    assert run(str(path), echo=out.append) == 2
    assert out and out[0].startswith("无法校验") and " / " in out[0]


def test_missing_file_exits_2(tmp_path):
    from app.exports.verify import run

    out: list[str] = []
    assert run(str(tmp_path / "none.json"), echo=out.append) == 2


def test_hash_ignores_layout_but_not_content(bundle, tmp_path):
    import json

    path = tmp_path / "compact.json"
    path.write_text(json.dumps(bundle, ensure_ascii=True), encoding="utf-8")
    raw, _ = load_bundle(path)
    assert bundle_sha256(raw) == bundle_sha256(bundle)
    raw["review"]["place"] += " "
    assert bundle_sha256(raw) != bundle_sha256(bundle)


def load_bundle_from(raw: dict):
    from app.exports.bundle import parse_bundle

    return parse_bundle(raw)
