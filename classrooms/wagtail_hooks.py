"""Wagtail admin registrations of the classrooms app, one section per area."""

from wagtail.snippets.models import register_snippet

from classrooms.admin import TermViewSet

# --- terms ---------------------------------------------------------------------------------
register_snippet(TermViewSet)
