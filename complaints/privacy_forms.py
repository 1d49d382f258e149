"""The form of the data-subject export: whose data (validation only)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SubjectExportForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_(
            "Every case where this address is the complainant's or a party's is exported, "
            "whatever its capitals."
        ),
        max_length=254,
    )
