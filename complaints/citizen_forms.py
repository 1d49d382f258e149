"""The forms of the status page (no account): validation only, the services do the rest."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Rating
from .services.citizen import MAX_TEXT
from .uploads import MultipleFileField

TEXT = forms.Textarea(attrs={"rows": 5})


class StatusRequestForm(forms.Form):
    """Ask for a new status link: the reference and the e-mail address of the complaint."""

    reference = forms.CharField(
        label=_("Reference number"),
        max_length=40,
        help_text=_("You find it in our confirmation, for example KL-2026-00042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The address you gave us with your complaint."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class InformationForm(forms.Form):
    text = forms.CharField(
        label=_("What do you want to add?"),
        required=False,
        max_length=MAX_TEXT,
        widget=TEXT,
    )
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("At most %(count)d files: PDF, JPG, PNG or Word (docx), each at most 10 MB.")
        % {"count": settings.PUBLIC_MAX_FILES},
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("text", "").strip() and not data.get("files"):
            self.add_error("text", _("Write what you want to add, or choose a file."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw your complaint?"),
        help_text=_("You do not have to tell us. It helps us to learn."),
        required=False,
        max_length=MAX_TEXT,
        widget=TEXT,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is not solved?"),
        help_text=_("A complaint coordinator reads this and contacts you."),
        max_length=MAX_TEXT,
        widget=TEXT,
        error_messages={"required": _("Tell us what is not solved.")},
    )


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your complaint?"),
        choices=[(value, format_lazy("{}: {}", value, label)) for value, label in Rating.choices],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are, from 1 to 5.")},
    )
    felt_heard = forms.TypedChoiceField(
        label=_("Did you feel heard?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=MAX_TEXT,
        widget=TEXT,
    )

    @classmethod
    def initial_of(cls, survey) -> dict:
        if survey is None:
            return {}
        heard = {True: "yes", False: "no"}.get(survey.felt_heard)
        return {"rating": survey.rating, "felt_heard": heard, "comment": survey.comment}
