"""Views of the classrooms app, one module per area (week, calendar, offerings...)."""

from django.shortcuts import get_object_or_404

from classrooms.models import Offering


def get_offering_or_404(offering_id: int) -> Offering:
    """The offering with its course and term, or 404. Callers check who asks."""
    return get_object_or_404(Offering.objects.select_related("course", "term"), pk=offering_id)
