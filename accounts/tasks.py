"""Background work of accounts: the password-reset mail, sent outside the request."""

import logging
import smtplib
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
BODY_TEMPLATE = "accounts/email/password_reset.txt"


@shared_task(name="accounts.password_reset_send")
def password_reset_send(user_id: int) -> None:
    """Mail a password-reset link to an active user. The message carries only the user's id."""
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": settings.ORGANISATION_NAME,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme,
    }
    try:
        auth_forms.PasswordResetForm().send_mail(
            SUBJECT_TEMPLATE, BODY_TEMPLATE, context, settings.DEFAULT_FROM_EMAIL, user.email
        )
    except (OSError, smtplib.SMTPException):
        # The person can ask again; the answer to the request must not depend on the mail.
        logger.warning("password-reset mail to user %s not sent", user_id)
