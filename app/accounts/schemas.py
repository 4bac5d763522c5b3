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


@dataclass
class UserEditForm:
    display_name: str = ""
    email: str = ""
    role: str = ""
    agency_id: str = ""


@dataclass
class UserStatusForm:
    active: str = ""
    """"1" to enable, "0" to disable the account."""


class Me(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    agency_id: int | None
