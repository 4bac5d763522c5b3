"""Password hashing (Argon2) and the minimum-strength policy."""

from __future__ import annotations

import os
import string

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10

# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile). The test suite sets
# PINGSHEN_PASSWORD_HASH_PROFILE=CHEAPEST, argon2-cffi's profile made for tests, so that
# hundreds of sign-ins do not dominate its run time; production never sets it.
_profile = os.environ.get("PINGSHEN_PASSWORD_HASH_PROFILE", "")
_hasher = PasswordHasher.from_parameters(getattr(profiles, _profile)) if _profile else PasswordHasher()
# Verified against when the username is unknown, so that a wrong username costs as long as a
# wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("pingshen-dummy-password")

# A few of the passwords most often tried against Chinese sites; length and classes catch the
# rest of the weak ones.
_COMMON = {
    "password123", "password1234", "1234567890", "qwertyuiop", "a123456789", "admin12345",
    "woaini1314", "1qaz2wsx3edc", "qwer1234!@#$", "abc123456789", "p@ssw0rd123", "Aa123456789",
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password, in Chinese; an empty list means it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少需要 {MIN_LENGTH} 个字符（当前 {len(password)} 个）")
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        problems.append("密码须包含小写字母、大写字母、数字、符号中的至少三类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if password.lower() in {c.lower() for c in _COMMON}:
        problems.append("该密码过于常见，请换一个")
    if password and len(set(password)) <= 3:
        problems.append("密码重复字符过多")
    return problems
