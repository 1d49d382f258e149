"""Forms of the learning reports and the annual report: validation only (STYLE.md)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department

from .annual import FIRST_YEAR, FORMATS
from .dashboard import MonthField
from .models import ReportKind


class ReportMakeForm(forms.Form):
    """Make (or make again) the report of a month or of the quarter holding a month."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    month = MonthField(
        label=_("Month"),
        help_text=_("For a quarterly report: any month of the quarter, for example 2026-01."),
    )
    department = forms.TypedChoiceField(
        label=_("For"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("The whole organisation"))] + [
            (department.pk, department.name) for department in departments
        ]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month and month > timezone.localdate():
            raise forms.ValidationError(_("Choose a month that has begun."))
        return month


FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", _("Excel (XLSX)")), ("pdf", "PDF")]


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMAT_CHOICES, widget=forms.RadioSelect, initial="xlsx"
    )

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("Choose this year or an earlier one."))
        return year

    def clean_format(self):
        value = self.cleaned_data["format"]
        if value not in FORMATS:  # the choices say so too; FORMATS is what the writers know
            raise forms.ValidationError(_("Choose CSV, XLSX or PDF."))
        return value
