"""The form renderer: Django's own widget templates, with the commonest ones written out in
Python; and the project's labelled field (``components/form_field.html``), written out too.

A widget rendered through its templates costs a template render per widget, and a select one
more per option plus one per attribute list: on the case page (30 fields, 170 options) that
was about half of the page's server time (bench/query-plans.md, "The case page and the
worklist"). The functions here give byte for byte what Django's templates give
(``tests/test_form_renderer.py`` compares them); every other template, and any option or
widget with a template of its own, still goes through the templates. An app that overrides one
of these Django templates must take it out of here too.

A labelled field (label, help text, errors, widget) is ``{{ field.as_field_group }}`` in the
templates: the renderer's ``field_template_name`` is ``components/form_field.html``, and
``_form_field`` gives what that template gives, byte for byte (the same test compares them).
Rendered through the template, the fields were about ten of the case page's fifty
milliseconds at 1,000,000 complaints. A change to the template must be made here too.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData
from django.utils.translation import gettext

WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"
# Templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "email.html",
        "url.html",
        "number.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "color.html",
        "checkbox.html",
        "file.html",
    )
)
# How {{ value }} prints in a widget template: autoescaped, localised as the template would.
_AUTOESCAPE = Context(autoescape=True)


def _print(value) -> str:
    """``{{ value }}``."""
    if type(value) is str:  # most values: what conditional_escape() does with a plain str
        return html.escape(value)
    return render_value_in_context(value, _AUTOESCAPE)


def _string(value) -> str:
    """``{{ value|stringformat:'s' }}`` (the filter keeps safe input safe)."""
    text = str(value)  # what "%s" % value gives, tuples included
    return text if isinstance(value, SafeData) else _print(text)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(" " + _print(name))
            if value is not True:
                out.append('="' + _string(value) + '"')
    return "".join(out)


def _input(widget: dict) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    shown = "" if value is None else ' value="' + _string(value) + '"'
    return (
        f'<input type="{_print(widget["type"])}" name="{_print(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = _print(widget["value"]) if widget["value"] else ""
    attrs = _attrs(widget["attrs"])
    return f'<textarea name="{_print(widget["name"])}"{attrs}>\n{value}</textarea>'


def _select(widget: dict) -> str | None:
    """``django/forms/widgets/select.html`` with ``select_option.html`` for each option;
    None when an option has a template of its own."""
    out = [f'<select name="{_print(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_print(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            out.append(
                f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_print(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _file_input(widget: dict) -> str | None:
    """``django/forms/widgets/clearable_file_input.html`` for a field with no file yet (every
    upload form of the apps); None for one that shows its current file."""
    if widget["is_initial"]:
        return None
    return (
        f'<input type="{_print(widget["type"])}" name="{_print(widget["name"])}"'
        + _attrs(widget["attrs"])
        + ">"
    )


FIELD = "components/form_field.html"


def _errors(field, div_class: str) -> str:
    return "".join(f'<div class="{div_class}">{_print(error)}</div>' for error in field.errors)


def _error_block(field, div_class: str) -> str:
    """The errors wrapped in ``<div id="<id>_error">`` (what aria-describedby names), or ""."""
    if not field.errors:
        return ""
    return f'<div id="{_print(field.auto_id)}_error">{_errors(field, div_class)}</div>'


def _help(field, div_class: str) -> str:
    if not field.help_text:
        return ""
    return (
        f'<div class="{div_class}" id="{_print(field.auto_id)}_helptext">'
        f"{_print(field.help_text)}</div>"
    )


def _form_field(field) -> str:
    """``components/form_field.html``: one labelled field (a ``BoundField``)."""
    if field.is_hidden:
        return f"\n{field}\n"
    kind = field.widget_type
    invalid = bool(field.errors)
    if kind == "checkbox":
        errors = _error_block(field, "utrecht-form-field-error-message")
        return (
            "\n\n"
            '<div class="utrecht-form-field utrecht-form-field--checkbox'
            f'{" utrecht-form-field--invalid" if invalid else ""} kl-field kl-field--checkbox">\n'
            f'  {field} <label class="utrecht-form-label utrecht-form-label--checkbox" '
            f'for="{_print(field.id_for_label)}">{_print(field.label)}</label>\n'
            f"  {_help(field, 'utrecht-form-field-description')}\n"
            f"  {errors}\n"
            "</div>\n\n"
        )
    if kind in ("checkboxselectmultiple", "radioselect"):
        options = "".join(
            f'<div class="kl-option">{option.tag()} <label for="{_print(option.id_for_label)}">'
            f"{_print(option.choice_label)}</label></div>"
            for option in field
        )
        return (
            "\n\n"
            '<fieldset class="utrecht-form-fieldset kl-field kl-fieldset'
            f'{" utrecht-form-fieldset--invalid" if invalid else ""}">\n'
            f'  <legend class="utrecht-form-fieldset__legend">{_print(field.label)}</legend>\n'
            f"  {_help(field, 'utrecht-form-field-description')}\n"
            f"  {_errors(field, 'utrecht-form-field-error-message')}\n"
            f'  <div class="kl-options">{options}</div>\n'
            "</fieldset>\n\n"
        )
    optional = ""
    if not field.field.required:
        optional = f' <span class="kl-optional">({_print(gettext("optional"))})</span>'
    errors = _error_block(
        field, "utrecht-form-field-error-message utrecht-form-field__error-message"
    )
    description = "utrecht-form-field-description utrecht-form-field__description"
    return (
        "\n\n"
        f'<div class="utrecht-form-field{" utrecht-form-field--invalid" if invalid else ""}'
        ' kl-field">\n'
        '  <div class="utrecht-form-field__label">\n'
        f'    <label class="utrecht-form-label" for="{_print(field.id_for_label)}">'
        f"{_print(field.label)}{optional}</label>\n"
        "  </div>\n"
        f"  {_help(field, description)}\n"
        f"  {errors}\n"
        f'  <div class="utrecht-form-field__input">{field}</div>\n'
        "</div>\n\n"
    )


class FormRenderer(DjangoTemplates):
    """Django's ``DjangoTemplates`` renderer, with inputs, text areas, selects and empty file
    inputs in Python, and ``components/form_field.html`` as the template of
    ``{{ field.as_field_group }}``."""

    field_template_name = FIELD

    def render(self, template_name, context, request=None):
        if template_name == FIELD:
            return _form_field(context["field"])
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS:
                return _input(widget)
            if template_name == WIDGETS + "textarea.html":
                return _textarea(widget)
            if template_name == WIDGETS + "select.html":
                markup = _select(widget)
                if markup is not None:
                    return markup
            if template_name == WIDGETS + "clearable_file_input.html":
                markup = _file_input(widget)
                if markup is not None:
                    return markup
        return super().render(template_name, context, request=request)
