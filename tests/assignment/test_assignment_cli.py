"""The command line contract, through a real subprocess: exit codes, JSON shape, replay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assignment.generate import instance

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes | None = None) -> tuple[int, Any, str]:
    proc = subprocess.run([sys.executable, "-m", "assignment", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=120)
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    return proc.returncode, json.loads(proc.stdout.decode("utf-8")), proc.stderr.decode("utf-8")


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(instance(200, 3, seed=4, mode="balanced", n_orgs=40), ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_solve_prints_the_contract_and_replays(input_file: Path) -> None:
    code, out, err = run("solve", str(input_file))
    assert code == 0
    assert set(out) >= {"panels", "seed", "input_sha256", "stats"}
    assert set(out["stats"]) >= {"seconds", "objective", "bound", "gap", "max_load", "min_load",
                                 "experts_used"}
    assert [set(p) for p in out["panels"]] == [{"id", "members", "alternates"}] * 3
    assert "balanced" in err  # progress goes to stderr, never stdout
    code2, again, _ = run("solve", str(input_file), "--seed", str(out["seed"]))
    assert code2 == 0 and again["panels"] == out["panels"]
    assert again["input_sha256"] == out["input_sha256"]


def test_stdin_and_quiet(input_file: Path) -> None:
    code, out, err = run("solve", "-", "--seed", "9", "--quiet", stdin=input_file.read_bytes())
    assert code == 0 and out["seed"] == 9 and err == ""


def test_infeasible_exits_2_with_errors(tmp_path: Path) -> None:
    data = {"experts": [{"id": "a", "org": "o", "specialties": ["职业卫生"]}],
            "panels": [{"id": "P", "size": 1, "require": {"安全工程": 1}, "alternates": 0}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run("solve", str(path), "--seed", "1")
    assert code == 2
    (err,) = out["errors"]
    assert err["code"] == "infeasible" and err["specialty"] == "安全工程"
    assert set(err) >= {"code", "message", "panel", "specialty", "needed", "available"}


@pytest.mark.parametrize(
    "payload",
    [b"", b"not json", b"\xff\xfe", b"[]", b"{\"experts\": 3}", b"{\"experts\": [{}], \"panels\": [{}]}",
     b"[" * 100000, b"{\"experts\": [{\"id\": \"a\"}], \"panels\": [{\"id\": \"P\", \"size\": 1}], \"q\": NaN}"],
)
def test_garbage_gives_invalid_input_never_a_traceback(payload: bytes) -> None:
    code, out, _ = run("solve", "-", "--seed", "1", stdin=payload)
    assert code == 2
    assert out["errors"] and all(e["code"] == "invalid_input" for e in out["errors"])


@pytest.mark.parametrize("args", [(), ("solve",), ("solve", "x.json", "--seed", "abc"), ("frobnicate",),
                                  ("solve", "/nonexistent/input.json")])
def test_usage_errors_exit_2_with_json(args: tuple[str, ...]) -> None:
    code, out, _ = run(*args)
    assert code == 2 and out["errors"][0]["code"] in {"usage", "invalid_input"}
