"""Settings for `bench/peers.py` only: the project's, with the audit libraries it compares
tracking with (installed by the benchmark in a throwaway environment, never by the project)."""

from chorehub.settings import *  # noqa: F403

INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "simple_history",
    "auditlog",
    "pghistory",
    "bench.peers_app",
]
MIGRATION_MODULES = {"peers_app": None}
