"""Terms in the Wagtail admin: reviewers edit them (periods, holidays, make-up days inline)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.snippets.views.snippets import SnippetViewSet

from classrooms.models import Room, Term
from classrooms.services.terms import check_term_dates


class TermForm(WagtailAdminModelForm):
    """Checks that holidays and make-up days lie inside the term once every part is valid."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        live = {
            name: [
                f for f in self.formsets[name].forms if f not in self.formsets[name].deleted_forms
            ]
            for name in ("holidays", "makeup_days")
        }
        errors = check_term_dates(
            starts_on=self.cleaned_data["starts_on"],
            weeks=self.cleaned_data["weeks"],
            holidays=[
                (f.cleaned_data.get("starts_on"), f.cleaned_data.get("ends_on"))
                for f in live["holidays"]
            ],
            makeup_days=[
                (f.cleaned_data.get("date"), f.cleaned_data.get("follows_date"))
                for f in live["makeup_days"]
            ],
        )
        for error in errors:
            live[error.relation][error.index].add_error(error.field, error.message)
        return not errors


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "date"
    menu_label = _("Terms")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["name", "starts_on", "weeks"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("weeks")]),
            InlinePanel("periods", label=_("periods (节次)")),
            InlinePanel("holidays", label=_("holidays")),
            InlinePanel("makeup_days", label=_("make-up days (调休)")),
        ],
        base_form_class=TermForm,
    )


class RoomViewSet(SnippetViewSet):
    """Rooms with check-in restrictions (allowed networks, location); reviewers edit them."""

    model = Room
    icon = "site"
    menu_label = _("Rooms")
    add_to_admin_menu = True
    menu_order = 251
    list_display = ["name", "networks", "radius_m"]
