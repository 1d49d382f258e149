"""Forms validate input only; the services do the rest."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User

from .models import (
    Channel,
    Complaint,
    ComplaintPart,
    ContactMoment,
    Judgment,
    Norm,
    Party,
    PartyRole,
    Rung,
    Theme,
)
from .moves import MOVES
from .uploads import ACCEPT, CleanFile, clean_upload

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2})


CONTACT_HINT = _("Give an e-mail address or a phone number.")


def a_year_before(day):
    """The same day a year earlier (29 February: 28 February), the limit of Awb 9:8 lid 1 b
    ("more than a year before"): a calendar year, not 365 days."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


class IntakeForm(forms.ModelForm):
    """Registering a complaint received by phone, letter, counter or e-mail (step 1)."""

    themes = forms.ModelMultipleChoiceField(
        Theme.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Themes"),
    )
    persons_complained_about = forms.ModelMultipleChoiceField(
        User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
        label=_("Employees complained about"),
        help_text=_("They cannot handle this complaint (Awb 9:7)."),
    )
    other_persons_complained_about = forms.CharField(
        required=False,
        label=_("Other persons complained about"),
        help_text=_("Names, one per line, when they have no account here."),
        widget=SHORT_TEXT,
    )
    # The lengths of the parties' columns (Party.name, .email, .phone).
    representative_name = forms.CharField(
        required=False, max_length=200, label=_("Representative: name")
    )
    representative_contact = forms.CharField(
        required=False, max_length=254, label=_("Representative: e-mail or phone")
    )
    affected_name = forms.CharField(
        required=False,
        max_length=200,
        label=_("Person affected, if not the complainant"),
    )

    class Meta:
        model = Complaint
        fields = [
            "channel", "received_on", "is_written", "language", "department",
            "complainant_name", "complainant_email", "complainant_phone", "complainant_address",
            "preferred_contact", "complainant_needs",
            "conduct_description", "conduct_date", "conduct_place", "conduct_department",
            "desired_outcome",
            "is_signed", "states_name", "states_address", "states_date", "states_conduct",
        ]  # fmt: skip
        widgets = {
            "received_on": DATE,
            "conduct_date": DATE,
            "conduct_description": TEXT,
            "desired_outcome": SHORT_TEXT,
            "complainant_address": SHORT_TEXT,
            "complainant_needs": SHORT_TEXT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["conduct_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["is_written"].initial = True

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("complainant_email")
            or cleaned.get("complainant_phone")
            or cleaned.get("complainant_address")
        ):
            self.add_error(
                "complainant_phone",
                _("Give at least one way to reach the complainant: phone, e-mail or address."),
            )
        return cleaned

    def clean_representative_contact(self) -> str:
        """An e-mail address (with an @: checked as one) or a phone number (at most 40
        characters), never cut short."""
        contact = self.cleaned_data.get("representative_contact", "").strip()
        if "@" in contact:
            try:
                validate_email(contact)
            except ValidationError:
                message = _("This is not a valid e-mail address.")
                raise ValidationError(f"{message} {CONTACT_HINT}", code="invalid") from None
        elif len(contact) > 40:
            message = _("A phone number has at most 40 characters.")
            raise ValidationError(f"{message} {CONTACT_HINT}", code="max_length")
        return contact

    def screening_prompts(self) -> list[str]:
        """Awb 9:8 prompts for the intake screen, from what was entered."""
        prompts = []
        conduct = (
            self.cleaned_data.get("conduct_date") if self.is_bound and self.is_valid() else None
        )
        received = self.cleaned_data.get("received_on") if conduct else None
        if conduct and received and conduct < a_year_before(received):
            prompts.append(
                _(
                    "The conduct is more than a year old: the complaint need not be handled "
                    "(Awb 9:8 lid 1 b)."
                )
            )
        return prompts

    def parties(self) -> list[dict]:
        data = self.cleaned_data
        parties = [
            {"role": PartyRole.COMPLAINED_ABOUT, "name": user.full_name, "employee": user}
            for user in data.get("persons_complained_about") or []
        ]
        for line in (data.get("other_persons_complained_about") or "").splitlines():
            if line.strip():
                parties.append({"role": PartyRole.COMPLAINED_ABOUT, "name": line.strip()[:200]})
        if data.get("representative_name"):
            contact = data.get("representative_contact", "")
            parties.append(
                {
                    "role": PartyRole.REPRESENTATIVE,
                    "name": data["representative_name"],
                    "email": contact if "@" in contact else "",
                    "phone": "" if "@" in contact else contact,
                }
            )
        if data.get("affected_name"):
            parties.append({"role": PartyRole.AFFECTED, "name": data["affected_name"]})
        return parties

    def complaint_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields} | {"rung": Rung.HANDLER}


class VersionedForm(forms.ModelForm):
    """An edit of existing values: carries the version the user saw (stale-page check)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


SECTIONS = {
    "registration": (
        _("Registration"),
        ["channel", "received_on", "is_written", "language", "department",
         "is_signed", "states_name", "states_address", "states_date", "states_conduct"],
    ),
    "complainant": (
        _("Complainant"),
        ["complainant_name", "complainant_email", "complainant_phone", "complainant_address",
         "preferred_contact", "complainant_needs"],
    ),
    "conduct": (
        _("The complaint"),
        ["conduct_description", "conduct_date", "conduct_place", "conduct_department",
         "desired_outcome", "underlying_problem"],
    ),
    "screening": (_("Screening"), ["not_handled_ground", "forwarded_to"]),
    "hearing": (
        _("Hearing"),
        ["hearing_planned_at", "hearing_held_on", "hearing_parties", "hearing_waiver",
         "hearing_report"],
    ),
    "solution": (
        _("Solution"),
        ["solution", "satisfaction_confirmed_on", "satisfaction_channel", "satisfaction_note"],
    ),
}  # fmt: skip

SECTION_WIDGETS = {
    "received_on": DATE,
    "conduct_date": DATE,
    "hearing_held_on": DATE,
    "satisfaction_confirmed_on": DATE,
    "hearing_planned_at": DATETIME,
    "conduct_description": TEXT,
    "underlying_problem": TEXT,
    "desired_outcome": SHORT_TEXT,
    "hearing_report": TEXT,
    "hearing_parties": SHORT_TEXT,
    "solution": TEXT,
    "satisfaction_note": SHORT_TEXT,
    "complainant_address": SHORT_TEXT,
    "complainant_needs": SHORT_TEXT,
}


def section_form_class(
    section: str, *, without: frozenset[str] = frozenset()
) -> type[VersionedForm]:
    """The edit form of one section of the case page; ``without`` names fields the user may
    not see (``complaints.selectors.SPECIAL_CATEGORY_FIELDS``): the form neither shows nor
    saves them."""
    _title, all_fields = SECTIONS[section]
    fields = [name for name in all_fields if name not in without]
    extra = {"themes"} if section == "conduct" else set()
    attrs = {
        "Meta": type(
            "Meta",
            (),
            {
                "model": Complaint,
                "fields": [*fields, *extra],
                "widgets": {k: v for k, v in SECTION_WIDGETS.items() if k in fields},
            },
        )
    }
    if extra:
        attrs["themes"] = forms.ModelMultipleChoiceField(
            Theme.objects.filter(is_active=True),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Themes"),
        )
    return type(f"{section.title()}Form", (VersionedForm,), attrs)


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactMoment
        fields = ["at", "channel", "with_whom", "summary"]
        widgets = {"at": DATETIME, "summary": SHORT_TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["channel"].initial = Channel.PHONE


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=SHORT_TEXT, max_length=5000)


class PartAddForm(forms.Form):
    description = forms.CharField(label=_("New complaint part"), widget=SHORT_TEXT)


class PartJudgeForm(forms.ModelForm):
    # The part as the user saw it (``ComplaintPart.fingerprint``): the stale-page check.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    norms = forms.ModelMultipleChoiceField(
        Norm.objects.filter(is_active=True),
        required=False,
        label=_("Norms of proper conduct"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = ComplaintPart
        fields = ["description", "judgment", "reasoning", "norms"]
        widgets = {"description": SHORT_TEXT, "reasoning": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judgment"].choices = [("", _("Not judged yet")), *Judgment.choices]
        if self.instance.pk and not self.is_bound:
            self.fields["seen"].initial = self.instance.fingerprint()


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["role", "name", "employee", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = User.objects.filter(is_active=True).order_by("full_name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("employee") and not cleaned.get("name"):
            cleaned["name"] = cleaned["employee"].full_name
        return cleaned


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(User.objects.none(), label=_("Handler"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if handlers is not None:
            self.fields["handler"].queryset = handlers


class MoveForm(forms.Form):
    name = forms.ChoiceField(choices=[(name, name) for name in MOVES])
    expected_stage = forms.CharField()
    note = forms.CharField(required=False, widget=SHORT_TEXT, label=_("Reason or note"))


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Attachment"),
        help_text=_("PDF, JPG, PNG or Word (docx), at most 10 MB."),
        allow_empty_file=True,  # clean_upload refuses it with a message that names the file
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_file(self) -> CleanFile:
        return clean_upload(self.cleaned_data["file"])


# --- deadlines (Awb 9:11) -------------------------------------------------------------
class CommitteeForm(forms.Form):
    prefix = "committee"  # the case page has several forms with a version field

    advisory_committee = forms.BooleanField(
        required=False,
        label=_("An advisory committee hears the complaint (Awb 9:13)"),
        help_text=_("The decision is then due 10 weeks after receipt instead of 6."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PostponeForm(forms.Form):
    prefix = "postpone"  # the case page has several forms with a version field

    weeks = forms.TypedChoiceField(
        label=_("Postpone by"),
        coerce=int,
        choices=[(4, _("4 weeks")), (3, _("3 weeks")), (2, _("2 weeks")), (1, _("1 week"))],
        initial=4,
        help_text=_("Once only, at most 4 weeks (Awb 9:11 lid 2)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=SHORT_TEXT,
        max_length=2000,
        help_text=_("The notice to the complainant and the persons complained about states it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtendForm(forms.Form):
    prefix = "extend"  # the case page has several forms with a version field

    until = forms.DateField(label=_("New decision date"), widget=DATE)
    consent_on = forms.DateField(label=_("Written consent given on"), widget=DATE)
    consent_note = forms.CharField(
        label=_("The consent"),
        widget=SHORT_TEXT,
        max_length=2000,
        help_text=_("How the complainant agreed in writing, for example: e-mail of 3 March."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
