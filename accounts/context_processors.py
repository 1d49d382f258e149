from django.conf import settings
from django.http import HttpRequest

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
