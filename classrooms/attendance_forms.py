"""Forms of attendance: the marking grid, leave requests and decisions, the policy."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from classrooms.models import AttendancePolicy, AttendanceStatus
from classrooms.services.attendance import POLICY_FIELDS
from classrooms.services.leave import validate_attachment

UNMARKED_CHOICE = ("", _("Unmarked"))


class MarkingForm(forms.Form):
    """One status field per student (``status-<id>``), with the status the page showed in a
    hidden ``was-<id>``, so that saving changes only what the teacher changed.

    A marked student cannot be set back to unmarked (rows are never deleted).
    """

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        statuses = list(AttendanceStatus.choices)
        for row in roster:
            sid = row.student.pk
            self.fields[f"status-{sid}"] = forms.ChoiceField(
                label=str(row.student),
                choices=statuses if row.status else [UNMARKED_CHOICE, *statuses],
                required=False,
                initial=row.status,
                widget=forms.RadioSelect,
            )
            self.fields[f"was-{sid}"] = forms.CharField(
                required=False, initial=row.status, widget=forms.HiddenInput
            )

    def changes(self) -> dict[int, str]:
        """Student id -> new status, for the students whose status the teacher changed."""
        result = {}
        for row in self.roster:
            sid = row.student.pk
            new = self.cleaned_data.get(f"status-{sid}") or ""
            was = self.cleaned_data.get(f"was-{sid}") or ""
            if new and new != was:
                result[sid] = new
        return result


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A doctor's note or other proof: PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            validate_attachment(upload)
        return upload


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note to the student"), max_length=500, required=False)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AttendancePolicy
        fields = list(POLICY_FIELDS)
