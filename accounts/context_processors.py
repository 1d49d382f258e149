from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .middleware import TYPED
from .navigation import items_for


def navigation(request: HttpRequest) -> dict:
    """The staff navigation, by the permissions of the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"staff_navigation": items_for(user, current_path=request.path)}


def organisation(request: HttpRequest) -> dict:
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "organisation_email": settings.ORGANISATION_EMAIL,
        "organisation_phone": settings.ORGANISATION_PHONE,
        "organisation_address": settings.ORGANISATION_ADDRESS,
    }


def typed_before_sign_out(request: HttpRequest) -> dict:
    """What the user typed into the form they posted when their session timed out, once they
    are signed in again (and past the second step, if it is required): shown once, to copy,
    on the first page they see (``components/unsaved.html`` in base.html). Dropped unseen for
    anyone else signing in on that browser."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated or TYPED not in session:
        return {}
    if settings.MFA_REQUIRED and not user.is_verified():
        return {}  # still signing in: the second step's page is not the place
    kept = session.pop(TYPED)
    if str(kept.get("user")) != str(user.pk):
        return {}
    texts = [text for _name, text in kept.get("texts", [])]
    if len(texts) == 1:
        return {"typed_before_sign_out": [(_("What you typed"), texts[0])]}
    labels = (
        _("What you typed, field %(number)d of %(count)d") % {"number": n, "count": len(texts)}
        for n in range(1, len(texts) + 1)
    )
    return {"typed_before_sign_out": list(zip(labels, texts, strict=True))}
