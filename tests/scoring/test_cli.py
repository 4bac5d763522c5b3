"""The command line contract: `python -m scoring evaluate INPUT.json`, run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .helpers import E3, consultation, uniform

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes | None = None) -> tuple[int, Any, str]:
    done = subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LANG": "C"},  # a bare locale must not break the Chinese output
    )
    text = done.stdout.decode("utf-8")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        payload = None
    return done.returncode, payload, done.stderr.decode("utf-8", "replace")


def write(tmp_path: Path, content: str | bytes, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def example() -> dict[str, Any]:
    table = uniform(E3, {"A": [30, 15, 5], "B": [36, 15, 5], "C": [20, 10, 5]})
    return consultation(table, {"A": "80000", "B": "100000", "C": "90000"})


def test_success_prints_one_json_object_and_exits_0(tmp_path: Path) -> None:
    code, out, err = run("evaluate", write(tmp_path, json.dumps(example(), ensure_ascii=False)))
    assert code == 0 and err == ""
    assert set(out) >= {"bids", "candidates", "anomalies", "experts", "agreement", "stability", "warnings"}
    assert [(b["id"], b["total"], b["price_score"], b["rank"]) for b in out["bids"]] == [
        ("A", "80.00", "30.00", 1),
        ("B", "80.00", "24.00", 2),  # 56 + 24 = 80: tie on total, lower quote first
        ("C", "61.67", "26.67", 3),
    ]
    assert out["candidates"] == ["A", "B", "C"]
    assert set(out["agreement"]) >= {"kendall_w", "p_value", "icc_a1", "icc_ak"}
    assert set(out["stability"]) >= {"p_rank1", "pivotal_experts", "robust"}
    assert all(
        set(b) >= {"id", "valid", "subjective", "price_score", "total", "rank", "passed", "flags"} for b in out["bids"]
    )


def test_numbers_are_read_as_exact_decimals(tmp_path: Path) -> None:
    # 2.675 written as a JSON number: a float reader would see 2.67499999… and round to 2.67
    data = {
        "method": "approval",
        "pass_score": 0,
        "criteria": [{"id": "Q", "name": "质量", "max": 10}],
        "bids": [{"id": "P"}, {"id": "R"}],
        "scores": [{"expert": e, "bid": b, "criterion": "Q", "value": 2.675} for e in ("E1", "E2") for b in ("P", "R")],
    }
    code, out, _ = run("evaluate", write(tmp_path, json.dumps(data)))
    assert code == 0 and out["bids"][0]["subjective"] == "2.68"


def test_bad_input_exits_2_with_errors(tmp_path: Path) -> None:
    data = example()
    data["scores"][0]["value"] = 99
    code, out, err = run("evaluate", write(tmp_path, json.dumps(data)))
    assert code == 2 and err == ""
    assert list(out) == ["errors"]
    assert out["errors"][0]["code"] == "score_out_of_range"
    assert "E1" in out["errors"][0]["message"] and "专家" in out["errors"][0]["message"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("this is not json {", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "cannot read"),
        ("", "not valid JSON"),
        ('{"method": NaN}', "not valid JSON"),
        ('{"method": "approval", "method": "consultation"}', "appears twice"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
        ('{"method": 3, "criteria": "x", "bids": 5, "scores": null}', "method"),
        ("[1, 2, 3]", "JSON object"),
    ],
)
def test_garbage_never_gives_a_traceback(tmp_path: Path, content: str | bytes, fragment: str) -> None:
    code, out, err = run("evaluate", write(tmp_path, content))
    assert code == 2, err
    assert "Traceback" not in err
    assert out["errors"][0]["code"] == "invalid_input"
    assert any(fragment in e["message"] for e in out["errors"])


def test_missing_file_and_wrong_command_line(tmp_path: Path) -> None:
    code, out, _ = run("evaluate", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in out["errors"][0]["message"]
    for args in ((), ("evaluate",), ("score", "x.json"), ("evaluate", "a", "b")):
        code, out, err = run(*args)
        assert code == 2 and out["errors"][0]["code"] == "invalid_input" and "usage" in out["errors"][0]["message"]
        assert "Traceback" not in err


def test_standard_input(tmp_path: Path) -> None:
    code, out, _ = run("evaluate", "-", stdin=json.dumps(example()).encode())
    assert code == 0 and out["candidates"] == ["A", "B", "C"]
