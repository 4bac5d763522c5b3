"""Pingshen web application."""

import os

# Piccolo binds tables to the engine named by PICCOLO_CONF when a tables module is imported,
# so this must be set before any of them is.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
