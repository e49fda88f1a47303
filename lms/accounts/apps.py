from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app, editing our user fields (number, name, optional email)."""

    user_viewset = "lms.accounts.admin_views.UserViewSet"
