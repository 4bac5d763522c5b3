"""Forms and API shapes for the roster."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from litestar.datastructures import UploadFile


@dataclass
class ImportUpload:
    file: UploadFile | None = None
    action: str = "check"
    """check: dry run (and park a clean file); commit: import the parked file named by `token`."""
    token: str = ""
    filename: str = ""


class ExpertOut(msgspec.Struct):
    """One expert as the API shows it; ID number, phone and e-mail masked for roles that do not need them."""

    id: int
    name: str
    gender: str
    birth_year: int
    id_number: str
    phone: str
    email: str
    employer: str
    employer_credit_code: str
    title: str
    level: str
    years_in_field: int
    region: str
    county: str
    specialties: list[str]
    specialty_labels: list[str]
    status: str
    status_label: str
    version: int


class ExpertPage(msgspec.Struct):
    total: int
    page: int
    page_size: int
    items: list[ExpertOut]


class ImportProblem(msgspec.Struct):
    row: int
    column: str
    message: str


class ImportResult(msgspec.Struct):
    ok: bool
    total: int
    bad_rows: int
    imported: int
    file_error: str
    problems: list[ImportProblem]
