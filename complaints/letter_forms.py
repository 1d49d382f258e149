"""Forms of the letters: a new letter (kind and addressee) and the edit form of a draft."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.letters.kinds import spec_of
from complaints.models import Letter, LetterKind
from complaints.services.letters import Recipient, section_name

TEXT = forms.Textarea(attrs={"rows": 5})


class NewLetterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of letter"), choices=LetterKind.choices)
    recipient = forms.ChoiceField(label=_("To"))

    def __init__(self, *args, recipients: list[Recipient], **kwargs):
        kwargs.setdefault("prefix", "letter")  # its ids stay unique on the case page
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [(r.key, r.label) for r in recipients]


class MandatorySection(forms.CharField):
    """Shown as required, for it is to send the letter; a draft may still be saved with it
    empty (the builder refuses to send it then, naming the section)."""

    def validate(self, value):
        pass


def seen_of(letter: Letter) -> str:
    """The draft's last change, as the edit form carries it."""
    return letter.updated_at.isoformat() if letter.updated_at else ""


class LetterForm(forms.Form):
    """The addressee, the subject and one text box per section of the kind. Every section
    may be saved empty; sending refuses an empty mandatory one, by name."""

    recipient_name = forms.CharField(label=_("Addressee"), max_length=200)
    recipient_email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,  # the column's (a form's EmailField alone allows 320)
        required=False,
        help_text=_("With an address the letter goes by e-mail, with the PDF attached."),
    )
    recipient_address = forms.CharField(
        label=_("Postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a letter by post, and on the letterhead."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=250)
    # The draft as the user saw it (its last change): the stale-page check of letter_update.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    # No "required" attribute in the page: an empty mandatory section may be saved.
    use_required_attribute = False

    def __init__(self, *args, letter: Letter, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "recipient_name": letter.recipient_name,
                "recipient_email": letter.recipient_email,
                "recipient_address": letter.recipient_address,
                "subject": letter.subject,
                "seen": seen_of(letter),
                **{f"section_{s['key']}": s["text"] for s in letter.sections},
            },
        )
        super().__init__(*args, **kwargs)
        spec = spec_of(letter.kind)
        for section in letter.sections:
            defined = spec.section(section["key"])
            mandatory = bool(defined and defined.mandatory)
            help_parts = []
            if mandatory:
                help_parts.append(str(_("Mandatory: the letter cannot be sent without it.")))
            if defined and defined.guidance:
                help_parts.append(str(defined.guidance))
            self.fields[f"section_{section['key']}"] = (
                MandatorySection if mandatory else forms.CharField
            )(
                label=section_name(section),
                required=mandatory,
                widget=TEXT,
                help_text=" ".join(help_parts),
            )

    def section_texts(self) -> dict[str, str]:
        prefix = "section_"
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }


class SendForm(forms.Form):
    by_post = forms.BooleanField(
        label=_("Send by post, even though there is an e-mail address"), required=False
    )
