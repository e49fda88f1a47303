"""Wagtail admin registrations of the classrooms app, one section per area."""

from wagtail.snippets.models import register_snippet

from classrooms.admin import RoomViewSet, TermViewSet

# --- terms ---------------------------------------------------------------------------------
register_snippet(TermViewSet)

# --- rooms (check-in restrictions) ---------------------------------------------------------
register_snippet(RoomViewSet)
