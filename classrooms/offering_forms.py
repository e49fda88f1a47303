"""Forms of the teacher's offering screens: offering, roster, timetable rules, sessions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classrooms.models import Offering, Term, TimetableRule
from courses.services import courses_for_teacher
from lms.accounts.tables import TableError, read_table

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferingForm(forms.ModelForm):
    """A new offering; the course list holds only the courses the teacher teaches."""

    class Meta:
        model = Offering
        fields = ["course", "term", "section", "online_opens_on", "online_closes_on"]
        widgets = {"online_opens_on": DATE, "online_closes_on": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses_for_teacher(user)
        self.fields["term"].queryset = Term.objects.order_by("-starts_on")


class RosterAddForm(forms.Form):
    number = forms.CharField(label=_("Student number"), max_length=32)
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("Needed only for a student who has no account yet."),
    )
    email = forms.EmailField(label=_("Email"), required=False)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("A .csv or .xlsx file with the columns number, name and optionally email."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = read_table(
                upload, name=upload.name, required={"number", "name"}, optional={"email"}
            )
        except TableError as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class RuleForm(forms.ModelForm):
    class Meta:
        model = TimetableRule
        fields = [
            "weekday",
            "first_period",
            "last_period",
            "weeks",
            "parity",
            "room",
            "organisation",
        ]


class MoveSessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    first_period = forms.IntegerField(label=_("First period"), min_value=1, required=False)
    last_period = forms.IntegerField(label=_("Last period"), min_value=1, required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
