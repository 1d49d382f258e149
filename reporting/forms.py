"""Forms of the learning loop: validation only (STYLE.md)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from complaints.models import Complaint, Norm, NormGroup

from .models import ActionEffect, ActionStatus, ImprovementAction
from .selectors import action_owners, active_causes, complaints_by_reference, lesson_themes
from .services.learning import ACTION_FIELDS, action_seen

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LessonForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=None,
        required=False,
        empty_label=_("(no theme)"),
    )
    cause = forms.ModelChoiceField(
        label=_("Cause"), queryset=None, empty_label=_("(choose a cause)")
    )
    norms = forms.ModelMultipleChoiceField(
        label=_("Norms of proper conduct touched"),
        queryset=Norm.objects.filter(is_active=True).order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    text = forms.CharField(
        label=_("What can we learn from this case?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences: what should go differently next time."),
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = lesson_themes(complaint)
        self.fields["cause"].queryset = active_causes()
        # One read of the norms, for the checkboxes and their groups.
        norms = list(self.fields["norms"].queryset)
        self._groups = {str(norm.pk): norm.group for norm in norms}
        self.fields["norms"].choices = [(norm.pk, str(norm)) for norm in norms]

    def norm_groups(self) -> list[tuple[str, list]]:
        """The norm checkboxes under the four headings of the Behoorlijkheidswijzer."""
        boxes = {}
        for box in self["norms"]:
            boxes.setdefault(self._groups.get(str(box.data["value"])), []).append(box)
        return [(label, boxes[value]) for value, label in NormGroup.choices if value in boxes]


REFERENCE = re.compile(r"[A-Za-z]+-\d{4}-\d+")


def parse_references(text: str) -> tuple[list[str], list[str]]:
    """References in a free text ("KL-2026-00042, KL-2026-00043"): the well-formed ones
    (upper-cased, in order, once) and the pieces that are not references."""
    found, bad = [], []
    for piece in re.split(r"[\s,;]+", text.strip()):
        if not piece:
            continue
        if REFERENCE.fullmatch(piece):
            reference = piece.upper()
            if reference not in found:
                found.append(reference)
        else:
            bad.append(piece)
    return found, bad


class ActionForm(forms.ModelForm):
    references = forms.CharField(
        label=_("Complaints it answers"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Case references, separated by commas, e.g. KL-2026-00042, KL-2026-00043."),
    )
    # The action's last change as the form was opened (``action_seen``): a save over a
    # colleague's later one is refused with what was typed kept (``action_update``).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ImprovementAction
        fields = list(ACTION_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "due_on": DATE,
            "effect_checked_on": DATE,
            "effect_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "effect": _("Only once the action is done: did the complaints stop?"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = action_owners()
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by(
            "name"
        )
        self.fields["department"].empty_label = _("(the whole organisation)")
        self.fields["status"].choices = ActionStatus.choices
        self.fields["effect"].choices = [("", _("(not checked yet)")), *ActionEffect.choices]
        # Cases linked already stay linked even if this user may not open them.
        self.linked = (
            {c.reference: c for c in self.instance.complaints.all()} if self.instance.pk else {}
        )
        if not self.is_bound and self.linked and not self.initial.get("references"):
            self.initial["references"] = ", ".join(sorted(self.linked))
        if self.instance.pk and not self.is_bound:
            self.initial["seen"] = action_seen(self.instance)

    def clean_references(self) -> list[Complaint]:
        references, bad = parse_references(self.cleaned_data["references"])
        found = {**complaints_by_reference(self.user, references), **self.linked}
        unknown = bad + [reference for reference in references if reference not in found]
        if unknown:
            raise forms.ValidationError(
                _("These cases are unknown or not yours to see: %(references)s"),
                params={"references": ", ".join(unknown)},
            )
        return [found[reference] for reference in references]

    def clean(self):
        data = super().clean()
        done = data.get("status") == ActionStatus.DONE
        if not done:
            for name in ("effect", "effect_note", "effect_checked_on"):
                if data.get(name):
                    self.add_error(
                        name, _("The effect can only be checked once the action is done.")
                    )
        elif data.get("effect") and not data.get("effect_checked_on"):
            self.add_error("effect_checked_on", _("Say when the effect was checked."))
        return data

    def action_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
