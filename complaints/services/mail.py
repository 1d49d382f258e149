"""Rendering an outgoing mail from one template: the first line is the subject."""

from django.template.loader import render_to_string
from django.utils import translation


def render_mail(template: str, language: str, context: dict) -> tuple[str, str]:
    """Subject (the first line, folded to one) and body of ``complaints/mail/<template>.txt``
    (or of ``template`` itself when it is a path with a "/"), rendered in ``language``."""
    path = template if "/" in template else f"complaints/mail/{template}.txt"
    with translation.override(language):
        text = render_to_string(path, context)
    subject, _sep, body = text.partition("\n")
    return " ".join(subject.split()), body.strip() + "\n"
