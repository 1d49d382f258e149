"""Forms of the ladder: the rung-1 quick log, handing over to a complaint handler, and the
citizen's request for formal handling. They validate input only; the services do the rest
(``complaints.services.ladder``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department

from .models import Channel, Theme

SHORT_TEXT = forms.Textarea(attrs={"rows": 3})
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MAX_TEXT = 5000

# Dissatisfaction removed on the spot reaches an employee in person, by phone or in writing;
# the public web form is the formal route of rung 2.
QUICK_LOG_CHANNELS = [choice for choice in Channel.choices if choice[0] != Channel.WEB_FORM]


def yes_no(**kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, **kwargs
    )


class QuickLogForm(forms.Form):
    """Rung 1 in under a minute: six fields, and contact details only when given."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Choose a channel")), *QUICK_LOG_CHANNELS]
    )
    department = forms.ModelChoiceField(Department.objects.none(), label=_("Department"))
    theme = forms.ModelChoiceField(
        Theme.objects.none(), label=_("Theme"), empty_label=_("Choose a theme")
    )
    conduct_description = forms.CharField(
        label=_("What was it about?"), widget=SHORT_TEXT, max_length=MAX_TEXT
    )
    solution = forms.CharField(
        label=_("How was it resolved?"),
        widget=SHORT_TEXT,
        max_length=MAX_TEXT,
        help_text=_("What you did or agreed. Not resolved? Write what you tried."),
        # With a "yes" below this is what the citizen was satisfied with (Awb 9:5).
        error_messages={"required": _("Write how it was resolved, or what you tried.")},
    )
    satisfied = yes_no(
        label=_("Was the citizen satisfied?"),
        help_text=_(
            "Yes: the log is closed as resolved. No: it stays open, and a colleague closes it "
            "or hands it to a complaint handler."
        ),
    )
    # Optional, in a collapsed group.
    complainant_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    complainant_email = forms.EmailField(label=_("E-mail address"), max_length=254, required=False)
    complainant_phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)

    MAIN = ("channel", "department", "theme", "conduct_description", "solution", "satisfied")
    CONTACT = ("complainant_name", "complainant_email", "complainant_phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by(
            "name"
        )
        self.fields["theme"].queryset = Theme.objects.filter(is_active=True)

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def contact_fields(self):
        return [self[name] for name in self.CONTACT]

    def has_contact_errors(self) -> bool:
        return any(self[name].errors for name in self.CONTACT)

    def complaint_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "department": data["department"],
            "conduct_description": data["conduct_description"].strip(),
            "solution": data["solution"].strip(),
            "complainant_name": data["complainant_name"].strip(),
            "complainant_email": data["complainant_email"],
            "complainant_phone": data["complainant_phone"].strip(),
        }


class EscalateForm(forms.Form):
    """Hand a rung-1 case over to a complaint handler (rung 2)."""

    prefix = "escalate"  # the case page has several forms with a version field

    reason = forms.CharField(
        label=_("Why does it need a complaint handler?"),
        widget=SHORT_TEXT,
        max_length=MAX_TEXT,
        help_text=_("For example: the citizen is not satisfied and wants a formal answer."),
    )
    is_written = yes_no(
        label=_("Is the complaint in writing?"),
        help_text=_(
            "A written complaint (letter, e-mail, form) gets an acknowledgement and a decision "
            "within 6 weeks (Awb 9:6, 9:11)."
        ),
    )
    on = forms.DateField(
        label=_("Date of the formal complaint"),
        widget=DATE,
        help_text=_("The legal terms run from this date."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class FormalHandlingForm(forms.Form):
    """The citizen asks for formal handling of what was logged at rung 1."""

    prefix = "formal"

    confirm = forms.BooleanField(
        label=_("Yes, I want a complaint handler to handle my complaint formally."),
        error_messages={"required": _("Tick the box to confirm that you want this.")},
    )
    reason = forms.CharField(
        label=_("What is still wrong?"),
        widget=SHORT_TEXT,
        max_length=MAX_TEXT,
        required=False,
    )
