"""Forms and API shapes for accounts."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


@dataclass
class SignInForm:
    username: str = ""
    password: str = ""
    next: str = ""


@dataclass
class PasswordForm:
    current: str = ""
    new: str = ""
    repeat: str = ""


@dataclass
class UserForm:
    username: str = ""
    display_name: str = ""
    role: str = ""
    agency_id: str = ""
    password: str = ""
    email: str = ""


class Me(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    agency_id: int | None
