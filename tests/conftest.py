"""Shared by every test folder: nothing here imports the app, so pure-library tests stay pure."""

import os

# argon2-cffi's profile for tests (see app/accounts/passwords.py); set before any app import.
os.environ.setdefault("PINGSHEN_PASSWORD_HASH_PROFILE", "CHEAPEST")
