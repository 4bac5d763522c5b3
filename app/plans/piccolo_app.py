"""Piccolo app for season plans (评审计划)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="plans",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["app.plans.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "app.reviews.piccolo_app", "app.panels.piccolo_app"],
    commands=[],
)
