"""The hash chain, as pure functions: any edit, deletion or reordering is caught."""

from __future__ import annotations

import datetime as dt

from app.audit.chain import GENESIS, canonical_json, record_hash, verify_rows


def make_chain(n: int) -> list[dict]:
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        row = {
            "seq": i, "created_at": dt.datetime(2026, 11, 23, 8, 0, i, 123456, tzinfo=dt.UTC),
            "actor_id": 7, "actor": "jingban", "agency_id": 2, "action": "expert.updated",
            "object_type": "expert", "object_id": str(100 + i),
            "old_values": canonical_json({"employer": "甲公司"}),
            "new_values": canonical_json({"employer": f"乙公司{i}"}),
            "prev_hash": prev,
        }
        row["hash"] = record_hash(row)
        rows.append(row)
        prev = row["hash"]
    return rows


def test_intact_chain_verifies():
    report = verify_rows(make_chain(5))
    assert report.ok and report.checked == 5 and report.first_broken_seq is None


def test_edited_value_is_caught_at_that_record():
    rows = make_chain(5)
    rows[2]["new_values"] = canonical_json({"employer": "丙公司"})
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_seq == 3 and report.checked == 2
    assert "被修改" in report.reason


def test_rehashed_edit_breaks_the_next_link():
    rows = make_chain(5)
    rows[1]["actor"] = "someone-else"
    rows[1]["hash"] = record_hash(rows[1])  # a forger who recomputes one hash
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_seq == 3 and "前序哈希" in report.reason


def test_deleted_record_is_caught():
    rows = make_chain(5)
    del rows[3]
    report = verify_rows(rows)
    assert not report.ok and report.first_broken_seq == 4 and "不连续" in report.reason


def test_timestamp_form_does_not_depend_on_the_timezone_it_is_read_in():
    row = make_chain(1)[0]
    shifted = dict(row, created_at=row["created_at"].astimezone(dt.timezone(dt.timedelta(hours=8))))
    assert record_hash(shifted) == row["hash"]


def test_canonical_json_is_stable_and_keeps_chinese():
    assert canonical_json({"b": 1, "a": "张三"}) == '{"a":"张三","b":1}'
