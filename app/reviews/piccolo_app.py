"""Piccolo app for the reviews area (projects, reviews, rubrics, bids)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="reviews",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=["app.reviews.tables"], exclude_imported=True),
    migration_dependencies=["app.accounts.piccolo_app", "app.roster.piccolo_app"],
    commands=[],
)
