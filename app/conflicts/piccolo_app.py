"""Piccolo app for the conflicts area (tables and migrations)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="conflicts",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["app.conflicts.tables"], exclude_imported=True),
    migration_dependencies=["app.roster.piccolo_app"],
    commands=[],
)
