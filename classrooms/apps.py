from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassroomsConfig(AppConfig):
    """The offline side and the link: terms, offerings, sessions, calendar, attendance."""

    name = "classrooms"
    verbose_name = _("Classrooms")
    default_auto_field = "django.db.models.BigAutoField"
