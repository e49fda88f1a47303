"""Documents used in course content are for the course's people, like the lessons."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from courses.models import CoursePage


def courses_using_document(document) -> list[CoursePage]:
    """Courses whose units, lessons or quizzes reference ``document``.

    Read from Wagtail's reference index (filled when pages are saved). The course overview
    itself is public, so a reference from a CoursePage does not count. Constant queries.
    """
    page_type = ContentType.objects.get_for_model(Page)
    page_ids = {
        int(object_id)
        for object_id in ReferenceIndex.get_references_to(document)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    }
    if not page_ids:
        return []
    pages = Page.objects.filter(pk__in=page_ids).values_list("path", flat=True)
    # Strict ancestors of each referencing page: a course's own overview does not count.
    ancestor_paths = {
        path[:end] for path in pages for end in range(Page.steplen, len(path), Page.steplen)
    }
    return list(CoursePage.objects.filter(path__in=ancestor_paths))
