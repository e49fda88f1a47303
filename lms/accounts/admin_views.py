"""Wagtail's user management, fitted to our user model (no first and last name)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

FIELDS = {"number", "display_name", "email", "is_superuser", "groups"}


class RongkeUserCreationForm(UserCreationForm):
    email = forms.EmailField(required=False, label=_("Email"))
    first_name = None
    last_name = None

    class Meta(UserCreationForm.Meta):
        fields = FIELDS


class RongkeUserEditForm(UserEditForm):
    email = forms.EmailField(required=False, label=_("Email"))
    first_name = None
    last_name = None

    class Meta(UserEditForm.Meta):
        fields = FIELDS | {"is_active"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return RongkeUserEditForm if for_update else RongkeUserCreationForm
