from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """The online side: Wagtail course, unit, lesson and quiz pages; progress; attempts."""

    name = "courses"
    verbose_name = _("Online courses")
    default_auto_field = "django.db.models.BigAutoField"
