"""Vocabulary for the permission rows in perm_<area>.py files."""

from tests.app.helpers import ROLES

PUBLIC = "public"
SIGNED_IN = frozenset(ROLES)
STAFF = frozenset({"admin", "agency", "supervisor"})
READERS = frozenset({"admin", "agency", "supervisor", "auditor"})
