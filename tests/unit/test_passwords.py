"""Password policy and hashing."""

from __future__ import annotations

import pytest

from app.accounts.passwords import hash_password, password_problems, verify_password


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short-1a", "至少需要 10 个字符"),
        ("alllowercaseletters", "至少三类"),
        ("ALLUPPER12345", "至少三类"),
        ("Zhangsan-2026!", "不能包含用户名"),
        ("P@ssw0rd123", "过于常见"),
        ("Aa1Aa1Aa1Aa1", "重复字符过多"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, fragment):
    problems = password_problems(password, "zhangsan")
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("password", ["Hu-Ping-2026!", "correct horse Battery 9", "滇中Audit#2026"])
def test_strong_passwords_pass(password):
    assert password_problems(password, "zhangsan") == []


def test_length_is_reported_with_the_count():
    assert password_problems("Ab1!", "")[0] == "密码至少需要 10 个字符（当前 4 个）"


def test_hash_is_argon2_and_verifies_only_the_right_password():
    hashed = hash_password("Hu-Ping-2026!")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Hu-Ping-2026!") is True
    assert verify_password(hashed, "Hu-Ping-2026?") is False
    assert verify_password(None, "Hu-Ping-2026!") is False
    assert verify_password("not-a-hash", "x") is False
