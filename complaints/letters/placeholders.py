"""The placeholders of letter templates: a small, fixed set, filled in by plain substitution.

Users never write template code. In a template, ``{reference}`` is a placeholder from
``PLACEHOLDERS``; ``{{`` and ``}}`` are a literal brace; anything else between braces (an
unknown name, ``{% if %}``, ``{{ x }}`` with spaces inside a pair) and a lone brace are refused
when the template is saved, with a message that names them. Values are plain text: escaping is
the job of the output (HTML autoescapes them, mail is plain text), so a value can never become
markup or code.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# name -> what it gives (shown to the functional admin next to the template).
PLACEHOLDERS = {
    "reference": _("the reference of the complaint (KL-2026-00042)"),
    "recipient_name": _("the name of the addressee of this letter"),
    "complainant_name": _("the name of the complainant"),
    "received_on": _("the date the complaint was received"),
    "decision_due": _("the date by which we decide (Awb 9:11)"),
    "previous_decision_due": _("the decision date before the postponement"),
    "today": _("the date of the letter"),
    "organisation": _("the name of the organisation"),
    "organisation_address": _("the postal address of the organisation"),
    "organisation_phone": _("the phone number for complaints"),
    "organisation_email": _("the e-mail address for complaints"),
    "handler_name": _("the name of the complaint handler (the contact person)"),
    "signatory_name": _("the name of the person who signs letters"),
    "signatory_title": _("the job title of the person who signs letters"),
    "conduct_description": _("what happened, as the complainant described it"),
    "conduct_date": _("when it happened"),
    "desired_outcome": _("what the complainant wants"),
    "underlying_problem": _("the problem behind the complaint"),
    "solution": _("the solution agreed (Awb 9:5)"),
    "missing_items": _("what the written complaint still lacks (Awb 9:4), one per line"),
    "forwarded_to": _("the competent body the complaint is forwarded to (Awb 2:3)"),
    "not_handled_ground": _("why the complaint is not handled, in plain words (Awb 9:8)"),
    "hearing_planned_at": _("the date and time of the hearing"),
    "hearing_held_on": _("the date of the hearing"),
    "hearing_parties": _("who were heard"),
    "hearing_report": _("the report of the hearing (Awb 9:10)"),
    "postponement_reason": _("the reason for the postponement"),
    "postponement_weeks": _("by how many weeks the decision is postponed"),
    "complaint_parts": _("the complaint parts, one per line"),
    "parts_judgment": _("each complaint part with its judgment, reasoning and norms"),
    "overall_judgment": _("the judgment of the complaint as a whole"),
    "attachments": _("the names of the documents of the complaint, one per line"),
    "ombudsman": _("the ombudsman the complainant can go to (Awb 9:12)"),
    "ombudsman_address": _("the postal address of that ombudsman"),
    "ombudsman_website": _("the website of that ombudsman"),
    "ombudsman_term_until": _("the last day to go to the ombudsman: one year after the letter"),
    "status_request_url": _("the page where a complainant asks for a new private link"),
}

# "{{" and "}}" are literal braces; "{name}" a placeholder; what is left must hold no brace.
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def unknown_in(text: str) -> list[str]:
    """What in ``text`` is not allowed: unknown placeholders (as written) and lone braces."""
    problems = []
    for match in TOKEN.finditer(text or ""):
        name = match.group(1)
        if name is not None and name not in PLACEHOLDERS:
            problems.append(match.group(0))
    rest = TOKEN.sub("", text or "")
    if "{" in rest or "}" in rest:
        problems.append("{" if "{" in rest else "}")
    return problems


def refuse_unknown(fields: Mapping[str, str]) -> None:
    """Raise a ValidationError per field that holds an unknown placeholder or a lone brace,
    naming them and what to do instead."""
    errors = {}
    for field, text in fields.items():
        problems = unknown_in(text)
        if problems:
            errors[field] = gettext(
                "Unknown placeholder: %(found)s. Use only the placeholders in the list, such as "
                "{reference}; write {{ or }} for a brace in the text."
            ) % {"found": ", ".join(dict.fromkeys(problems))}
    if errors:
        raise ValidationError(errors)


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder replaced by its value (plain text). A placeholder
    without a value becomes empty; an unknown one (refused on save) is left as written."""

    def replace(match: re.Match) -> str:
        found, name = match.group(0), match.group(1)
        if name is None:  # "{{" or "}}": a literal brace
            return found[0]
        if name not in PLACEHOLDERS:
            return found
        return str(values.get(name) or "")

    return TOKEN.sub(replace, text or "")


def used_in(text: str) -> set[str]:
    return {m.group(1) for m in TOKEN.finditer(text or "") if m.group(1) in PLACEHOLDERS}
