"""The acknowledgement of receipt of a written complaint (Awb 9:6).

Written into the outbox when the complaint is registered, in the same transaction, rendered in
the complainant's language. Only by e-mail: without an address the handler sends a letter and
records it with the "acknowledge" action (``complaint_acknowledge``). The acknowledgement date
is set on the case when the mail actually goes out (``outbox_send``).

The letter of kind acknowledgement (``complaints.services.letters``) is for that post, or for a
formal copy; its e-mail or its posting sets the date too. This automatic one stays a plain
mail on purpose: a PDF for every public submission would cost the public form its throughput
(QUALITY.md, at least 150 submissions a second), and this mail carries the private status
link, which a stored letter must never hold (only the link's hash is kept anywhere).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from complaints.models import Complaint, OutboxKind, OutboxMessage

from .outbox import outbox_enqueue

SUBJECT_TEMPLATE = "complaints/mail/acknowledgement_subject.txt"
BODY_TEMPLATE = "complaints/mail/acknowledgement_body.txt"


def acknowledgement_key(complaint: Complaint) -> str:
    return f"ack:{complaint.reference}"


def acknowledgement_enqueue(
    complaint: Complaint, *, status_url: str = "", registered: bool = False
) -> OutboxMessage | None:
    """Write the acknowledgement of a written complaint with an e-mail address (Awb 9:6);
    None when there is nothing to send by e-mail. Call it inside the registering transaction.
    ``status_url`` is the citizen's private status link, when one was issued; ``registered``:
    the complaint was registered in this transaction (so it has no acknowledgement yet)."""
    mail = acknowledgement_mail(complaint, status_url=status_url)
    if mail is None:
        return None
    return acknowledgement_store(complaint, mail, registered=registered)


def acknowledgement_mail(complaint: Complaint, *, status_url: str = "") -> dict | None:
    """The acknowledgement's ``key``, ``subject`` and ``body``, rendered in the complainant's
    language; None for a complaint that gets none by e-mail (``acknowledgement_enqueue``)."""
    # Awb 9:6 covers written complaints (9:8 ff.); an oral one gets no acknowledgement.
    if not complaint.is_written or not complaint.complainant_email:
        return None
    context = {
        "complaint": complaint,
        "organisation": settings.ORGANISATION_NAME,
        "status_url": status_url,
    }
    with translation.override(complaint.language):
        # A header is one line: whatever the template or a translation holds, fold it.
        subject = " ".join(render_to_string(SUBJECT_TEMPLATE, context).split())
        body = render_to_string(BODY_TEMPLATE, context).strip() + "\n"
    return {"key": acknowledgement_key(complaint), "subject": subject, "body": body}


def acknowledgement_store(
    complaint: Complaint, mail: dict, *, registered: bool = False
) -> OutboxMessage:
    """Write ``mail`` (``acknowledgement_mail``) to the outbox, in the caller's transaction."""
    return outbox_enqueue(
        **mail,
        kind=OutboxKind.ACKNOWLEDGEMENT,
        to=complaint.complainant_email,
        complaint=complaint,
        language=complaint.language,
        new_cause=registered,
    )
