from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    """The live classroom over WebSockets."""

    name = "live"
    verbose_name = _("Live classroom")
    default_auto_field = "django.db.models.BigAutoField"
