"""Piccolo app for the panels area (draws, seats, invitations, outbox)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="panels",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["app.panels.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "app.roster.piccolo_app", "app.reviews.piccolo_app"],
    commands=[],
)
