"""Forms of the ombudsman phase (rung 3): validation only; ``services.ombudsman`` does the rest.

Each form has a prefix: the case page holds several of them, and every field id on a page
must be unique (labels, error links).
"""

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .forms import DATE, SHORT_TEXT, TEXT
from .models import Judgment, Norm, Ombudsman, OmbudsmanOutcome, RecommendationStatus


def _today():
    return timezone.localdate()


class Replacing(forms.Form):
    """A form whose save replaces a record: ``seen`` is the record as the form was opened
    (``complaints.services.ombudsman.record_seen``); a colleague's later save is not replaced
    unseen."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class OmbudsmanStartForm(forms.Form):
    prefix = "ombudsman"

    ombudsman = forms.ModelChoiceField(
        # The one named in letters first: it is the usual choice.
        Ombudsman.objects.filter(is_active=True).order_by("-is_default", "name"),
        label=_("Ombudsman"),
        empty_label=None,
    )
    reference = forms.CharField(
        label=_("Their reference"),
        max_length=100,
        required=False,
        help_text=_("The file number the ombudsman gave the complaint."),
    )
    taken_up_on = forms.DateField(
        label=_("Taken up on"),
        widget=DATE,
        initial=_today,
        help_text=_("The date of the ombudsman's letter or call."),
    )


class InformationRequestForm(forms.Form):
    prefix = "request"

    question = forms.CharField(
        label=_("What the ombudsman asks"), widget=SHORT_TEXT, max_length=5000
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=_today)
    due_on = forms.DateField(
        label=_("Answer due on"),
        widget=DATE,
        help_text=_("You get reminders before this date, on it and after it."),
    )


class AnswerForm(forms.Form):
    """Prefixed per request: ``AnswerForm(prefix=f"answer-{request.pk}")``."""

    answered_on = forms.DateField(label=_("Answered on"), widget=DATE, initial=_today)
    documents_sent = forms.CharField(
        label=_("Documents sent"), widget=SHORT_TEXT, required=False, max_length=5000
    )


class OutcomeForm(Replacing):
    prefix = "outcome"

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[*BLANK_CHOICE_DASH, *OmbudsmanOutcome.choices]
    )
    outcome_on = forms.DateField(label=_("Outcome on"), widget=DATE, initial=_today)
    summary = forms.CharField(
        label=_("What the ombudsman concluded"), widget=TEXT, required=False, max_length=10000
    )


class FindingForm(forms.Form):
    prefix = "finding"

    norm = forms.ModelChoiceField(
        Norm.objects.filter(is_active=True), label=_("Norm of proper conduct")
    )
    judgment = forms.ChoiceField(
        label=_("The ombudsman's judgment"), choices=[*BLANK_CHOICE_DASH, *Judgment.choices]
    )
    note = forms.CharField(label=_("Note"), widget=SHORT_TEXT, required=False, max_length=5000)


class RecommendationForm(forms.Form):
    prefix = "recommendation"

    text = forms.CharField(label=_("Recommendation"), widget=SHORT_TEXT, max_length=5000)
    owner = forms.ModelChoiceField(
        User.objects.filter(is_active=True).order_by("full_name"),
        label=_("Owner"),
        help_text=_("The person who sees that it is done. They get a reminder when it is late."),
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class FollowUpForm(Replacing):
    """Prefixed per recommendation: ``FollowUpForm(prefix=f"follow-up-{rec.pk}")``."""

    status = forms.ChoiceField(label=_("Status"), choices=RecommendationStatus.choices)
    follow_up = forms.CharField(
        label=_("Follow-up"),
        widget=SHORT_TEXT,
        required=False,
        max_length=5000,
        help_text=_("What was done; if it is not followed, why not."),
    )


class ResponseForm(Replacing):
    prefix = "response"

    response = forms.CharField(
        label=_("The organisation's response"), widget=TEXT, max_length=10000
    )
    response_on = forms.DateField(label=_("Sent on"), widget=DATE, initial=_today)
