"""Admin registration for tracking events; the admin itself is in `tracking.staff.admin`."""

from tracking.staff import admin  # noqa: F401
