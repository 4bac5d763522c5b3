"""评审归档与导出 — review bundles, documents (xlsx/PDF), season export and re-verification.

Works from plain data only (dicts shaped as docs/exports.md describes), so it can be wired to
the database later without change. Imports scoring, assignment and app.audit.chain, nothing
else from the app.
"""

from .bundle import BundleError, build_bundle, bundle_sha256, load_bundle, sheet_content_sha256

__all__ = ["BundleError", "build_bundle", "bundle_sha256", "load_bundle", "sheet_content_sha256"]
