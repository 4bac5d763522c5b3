"""For the `piccolo` command line run from the repository root (e.g. `piccolo migrations new`)."""

from app.piccolo_conf import *  # noqa: F403
