"""Shared by every test folder: nothing here imports the app, so pure-library tests stay pure."""
