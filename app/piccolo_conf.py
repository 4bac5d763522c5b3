"""Piccolo configuration: the engine comes from DATABASE_URL (see app/settings.py)."""

from piccolo.conf.apps import AppRegistry

from app.areas import piccolo_apps
from app.db import make_engine
from app.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=piccolo_apps())
