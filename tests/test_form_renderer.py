"""The form renderer (config/form_renderer.py) writes the commonest widgets in Python: its HTML
must be byte for byte what Django's own widget templates give, for every form of the apps and
for the awkward values (markup in values and labels, safe strings, lazy labels, numbers, dates,
boolean attributes, option groups, several selected options)."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorDict
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from complaints.models import Complaint
from config.form_renderer import FormRenderer

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()
FAST = FormRenderer()

CHOICES = [
    ("", "---------"),
    ("a", "A <b>&</b>"),
    (1, gettext_lazy("Closed")),
    (Decimal("2.5"), mark_safe("<i>safe</i>")),
    ("Group <1>", [("g1", "One"), ("g2", "Two")]),
]


class FileShown:
    """A stored file as a file input shows it (its name and link)."""

    url = "/files/brief <1>.pdf"

    def __str__(self) -> str:
        return "brief <1>.pdf"


WIDGETS = [
    (forms.TextInput(), "x"),
    (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 20}), 'a "b" <c>'),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(), mark_safe("<safe>")),
    (forms.EmailInput(attrs={"autocomplete": "email"}), "a@b.nl"),
    (forms.NumberInput(attrs={"min": 0, "step": Decimal("0.5")}), 12345),
    (forms.NumberInput(), Decimal("1234.5")),
    (forms.HiddenInput(), 7),
    (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), datetime.date(2026, 1, 31)),
    (forms.DateInput(), datetime.date(2026, 1, 31)),
    (forms.DateTimeInput(attrs={"type": "datetime-local"}), datetime.datetime(2026, 1, 2, 3, 4)),
    (forms.PasswordInput(), "secret"),
    (forms.URLInput(), "https://example.nl/?a=1&b=2"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(), "line 1\n<line 2> & 'three'"),
    (forms.Textarea(attrs={"rows": 3, "aria-describedby": "x_helptext"}), ""),
    (forms.Textarea(), None),
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES), 1),
    (forms.Select(choices=CHOICES, attrs={"required": True}), None),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=CHOICES, attrs={"size": 6}), ["a", "g2", 1]),
    (forms.SelectMultiple(choices=CHOICES), []),
    (forms.NullBooleanSelect(), True),
    (forms.ClearableFileInput(), None),
    (forms.ClearableFileInput(attrs={"accept": ".pdf,.png", "required": True}), None),
    # Widgets left to the templates: the renderer must hand them over unchanged.
    (forms.CheckboxSelectMultiple(choices=CHOICES), ["a"]),
    (forms.RadioSelect(choices=CHOICES), "a"),
    (forms.ClearableFileInput(), FileShown()),
    (forms.SelectDateWidget(), datetime.date(2026, 1, 31)),
]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_a_widget_renders_as_its_django_template(widget, value, language):
    with override(language):
        expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=TEMPLATES)
        assert widget.render("field", value, attrs={"id": "id_field"}, renderer=FAST) == expected


def test_an_option_with_a_template_of_its_own_goes_through_the_templates():
    class Odd(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Odd(choices=CHOICES)
    assert widget.render("f", "a", renderer=FAST) == widget.render("f", "a", renderer=TEMPLATES)


def test_an_empty_file_input_is_written_without_its_template():
    """The case page's upload form (about 0.6 ms through the templates); a file input that
    shows its current file still goes through them."""
    from django.test.signals import template_rendered

    drawn = []

    def seen(sender, template, **kwargs):
        drawn.append(template.name)

    template_rendered.connect(seen)
    try:
        forms.ClearableFileInput().render("f", None, renderer=FAST)
        assert drawn == []
        forms.ClearableFileInput().render("f", FileShown(), renderer=FAST)
        assert "django/forms/widgets/clearable_file_input.html" in drawn
    finally:
        template_rendered.disconnect(seen)


FORM_MODULES = (
    "forms",
    "ladder_forms",
    "public_forms",
    "citizen_forms",
    "letter_forms",
    "ombudsman_forms",
    "privacy_forms",
)


def _forms_of_the_apps():
    """An unbound instance of every form class of our apps that needs no arguments, and the
    case page's section forms."""
    from complaints.forms import SECTIONS, section_form_class

    for config in apps.get_app_configs():
        if config.name not in ("accounts", "audit", "complaints", "ladder", "reporting"):
            continue
        for name in FORM_MODULES:
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ImportError:
                continue
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == module.__name__
                ):
                    try:
                        yield value()
                    except (TypeError, ValueError):  # needs arguments, or abstract
                        continue
    for section in SECTIONS:
        yield section_form_class(section)(instance=Complaint())


def test_every_form_of_the_apps_renders_as_with_the_django_templates():
    seen = 0
    for form in _forms_of_the_apps():
        for field in form:
            widget, value = field.field.widget, field.value()
            attrs = field.build_widget_attrs({"id": field.auto_id})
            expected = widget.render(field.html_name, value, attrs, renderer=TEMPLATES)
            assert widget.render(field.html_name, value, attrs, renderer=FAST) == expected, (
                type(form),
                field.name,
            )
            seen += 1
    assert seen > 50


# ---------------------------------------------------------------------------
# The labelled field: components/form_field.html, written out in Python
# ---------------------------------------------------------------------------
class Awkward(forms.Form):
    """Every branch of the template, with markup where a user's or a translator's text goes."""

    hidden = forms.CharField(widget=forms.HiddenInput, initial="<x>")
    agree = forms.BooleanField(label="I <b>agree</b>", help_text="Read & sign", required=False)
    plain = forms.BooleanField(label="Plain")
    kinds = forms.MultipleChoiceField(
        choices=CHOICES[1:3], widget=forms.CheckboxSelectMultiple, help_text="<i>Pick</i>"
    )
    one = forms.ChoiceField(choices=[("a", "A & B"), ("b", "<b>")], widget=forms.RadioSelect)
    name = forms.CharField(label=gettext_lazy("Name"), help_text=mark_safe("<em>safe</em>"))
    note = forms.CharField(required=False, widget=forms.Textarea, label='Say "it"')
    count = forms.IntegerField(required=False, initial=1234)


def _expected(field) -> str:
    return render_to_string("components/form_field.html", {"field": field})


def _with_errors(form):
    form._errors = ErrorDict(
        {field.name: form.error_class(["Wrong <here>", "and & there"]) for field in form}
    )
    return form


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_labelled_field_renders_as_its_template(language):
    with override(language):
        for form in (Awkward(), Awkward(prefix="p", auto_id="x_%s"), _with_errors(Awkward())):
            for field in form:
                assert field.as_field_group() == _expected(field), field.name
        bound = Awkward(data={"agree": "on", "kinds": ["a"], "one": "b", "count": "x"})
        assert not bound.is_valid()
        for field in bound:
            assert field.as_field_group() == _expected(field), field.name


def test_every_labelled_field_of_the_apps_renders_as_its_template():
    seen = 0
    for form in _forms_of_the_apps():
        for state in (form, _with_errors(form)):
            for field in state:
                assert field.as_field_group() == _expected(field), (type(form), field.name)
                seen += 1
    assert seen > 100
