"""The public complaint form, in short steps. Each step is a form of its own; the answers
are kept in the session between steps, so going back or an error loses nothing."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department

from .models import ContactPreference
from .uploads import MultipleFileField

PHONE = re.compile(r"^\+?[\d\s\-().]{6,40}$")


class CitizenForm(forms.Form):
    """Links each error message to its field (aria-describedby), as a screen reader needs."""

    def full_clean(self):
        super().full_clean()
        for name, errors in self.errors.items():
            if name not in self.fields:
                continue
            auto_id = f"id_{self.add_prefix(name)}"
            ids = [f"{auto_id}_error{n}" for n in range(1, len(errors) + 1)]
            if self.fields[name].help_text:
                ids.append(f"{auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class AboutYouForm(CitizenForm):
    complainant_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Fill in your name, so we know who you are.")},
    )
    complainant_email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,  # the column's (a form's EmailField alone allows 320)
        required=False,
        help_text=_("We send you a confirmation and a private link to follow your complaint."),
    )
    complainant_phone = forms.CharField(label=_("Phone number"), max_length=40, required=False)
    preferred_contact = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=ContactPreference.choices,
        initial=ContactPreference.EMAIL,
        widget=forms.RadioSelect,
    )
    complainant_address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_(
            "By law, a written complaint has your name and address (Awb 9:4). "
            "You may leave it empty: we will still help you, and may ask for it later."
        ),
    )
    complainant_needs = forms.CharField(
        label=_("Do you need help to talk with us?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example an interpreter, large letters, or someone who comes along."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complainant_name"].widget.attrs["autocomplete"] = "name"
        self.fields["complainant_email"].widget.attrs["autocomplete"] = "email"
        self.fields["complainant_phone"].widget.attrs.update(autocomplete="tel", type="tel")

    def clean_complainant_phone(self):
        phone = self.cleaned_data["complainant_phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                _("Write the phone number with digits only, e.g. 06 12345678.")
            )
        return phone

    def clean(self):
        data = super().clean()
        how = data.get("preferred_contact")
        needed = {
            ContactPreference.EMAIL: (
                "complainant_email",
                _("Fill in your e-mail address, so we can write to you."),
            ),
            ContactPreference.PHONE: (
                "complainant_phone",
                _("Fill in your phone number, so we can call you."),
            ),
            ContactPreference.LETTER: (
                "complainant_address",
                _("Fill in your address, so we can send you a letter."),
            ),
        }
        if how in needed:
            field, message = needed[how]
            if not data.get(field) and field not in self.errors:
                self.add_error(field, message)
        return data


class WhatHappenedForm(CitizenForm):
    conduct_description = forms.CharField(
        label=_("What happened?"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Tell it in your own words: who did what, and what did it mean for you?"),
        error_messages={"required": _("Tell us what happened.")},
    )
    conduct_date = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Not sure of the date? Leave it empty and tell us in your story."),
    )
    conduct_department = forms.ModelChoiceField(
        label=_("Which department is it about?"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("I don't know"),
    )
    conduct_place = forms.CharField(
        label=_("Where did it happen?"),
        max_length=200,
        required=False,
        help_text=_("For example at the counter, on the phone, or in a letter."),
    )
    persons = forms.CharField(
        label=_("Who was it?"),
        max_length=200,
        required=False,
        help_text=_("The name or job of the employee, if you know it."),
    )

    def clean_conduct_date(self):
        day = self.cleaned_data["conduct_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future. When did it happen?"))
        return day


class WishForm(CitizenForm):
    desired_outcome = forms.CharField(
        label=_("What would you like us to do?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example: an apology, an explanation, or to look at a decision again."),
    )
    files = MultipleFileField(
        label=_("Add files"),
        required=False,
        help_text=_("At most 5 files: PDF, JPG, PNG or Word (docx), each at most 10 MB."),
    )
    remove = forms.MultipleChoiceField(
        label=_("Remove files you added"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, kept: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = list(kept)
        if self.kept:
            self.fields["remove"].choices = [(f["id"], f["name"]) for f in self.kept]
        else:
            del self.fields["remove"]

    def clean(self):
        data = super().clean()
        removed = set(data.get("remove") or ())
        staying = [f for f in self.kept if f["id"] not in removed]
        if len(staying) + len(data.get("files") or ()) > settings.PUBLIC_MAX_FILES:
            self.add_error(
                "files",
                _("You can add at most %(count)d files in all.")
                % {"count": settings.PUBLIC_MAX_FILES},
            )
        return data


class SendForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    # A honeypot: hidden from people (CSS and aria-hidden), filled in by some robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
