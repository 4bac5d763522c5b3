"""Journey: from an empty installation to a checked roster (admin, 经办人)."""

from __future__ import annotations

from tests.e2e.steps import import_roster, set_up_office


def test_admin_sets_up_and_staff_import_the_roster(people) -> None:  # type: ignore[no-untyped-def]
    office = set_up_office(people)
    rows = import_roster(office)
    staff = office.staff
    staff.goto("/roster/?q=" + rows[5]["姓名"])
    staff.sees(rows[5]["姓名"], rows[5]["工作单位"])
