"""Piccolo app for the audit area (tables and migrations)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["app.audit.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app"],
    commands=[],
)
