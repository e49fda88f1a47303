from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """The live classroom over WebSockets."""

    name = "live"
    verbose_name = _("Live classroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from classrooms.signals import attendance_marked, checked_in
        from live.signals import announce_checked_in, announce_marked

        checked_in.connect(announce_checked_in, dispatch_uid="live.announce_checked_in")
        attendance_marked.connect(announce_marked, dispatch_uid="live.announce_marked")
