"""Forms of the teaching calendar editor. The service re-checks everything they check."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from classrooms.models import LearningMode, Offering, Organisation, Session
from courses.services import course_item_kinds


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        start = timezone.localtime(obj.starts_at)
        return _("Week %(week)s · %(when)s · %(room)s") % {
            "week": obj.week,
            "when": start.strftime("%Y-%m-%d %H:%M"),
            "room": obj.room,
        }


class ItemsField(forms.ModelMultipleChoiceField):
    kinds: dict[int, str] = {}

    def label_from_instance(self, obj):
        kind = {"unit": _("Unit"), "lesson": _("Lesson"), "quiz": _("Quiz")}.get(
            self.kinds.get(obj.pk, ""), ""
        )
        return f"{kind}: {obj.title}" if kind else obj.title


class CalendarEntryForm(forms.Form):
    week = forms.IntegerField(label=_("Week"), min_value=1, max_value=30)
    class_hours = forms.DecimalField(
        label=_("Class hours"), min_value=0.5, max_digits=4, decimal_places=1
    )
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 3}))
    mode = forms.ChoiceField(label=_("Learning mode"), choices=LearningMode.choices)
    organisation = forms.ChoiceField(
        label=_("Organisation"), choices=[("", "—"), *Organisation.choices], required=False
    )
    session = SessionChoiceField(
        label=_("Session"),
        queryset=Session.objects.none(),
        required=False,
        help_text=_("The class meeting an in-class entry happens in, or that prework prepares."),
    )
    due_at = forms.DateTimeField(
        label=_("Prework due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to use the start of the linked session."),
    )
    items = ItemsField(
        label=_("Online items"),
        queryset=Page.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offering: Offering, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.for_offering(offering).order_by(
            "starts_at", "id"
        )
        kinds = course_item_kinds(offering.course)
        items = self.fields["items"]
        items.kinds = {pk: kind for pk, (_page, kind) in kinds.items()}
        items.queryset = Page.objects.filter(pk__in=list(kinds)).order_by("path")


class GenerateDraftForm(forms.Form):
    replace = forms.BooleanField(label=_("Replace the current entries"), required=False)


class MoveEntryForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
