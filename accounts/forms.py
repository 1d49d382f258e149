from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an e-mail address (any case) and a password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,  # an account's address at most; the failed-login record holds 255
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "This e-mail address and password do not match an account. Check both, "
            "or reset your password."
        ),
    }


class CodeForm(forms.Form):
    """The second factor: the 6-digit code of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code in your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class EnrolCodeForm(forms.Form):
    """The first code of a newly added authenticator app, to show it was set up right."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("The 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The same answer, in about the same time, for an address with or without an account.

    The request only looks the address up (one query either way) and queues a task with the
    user's id; the link is made and mailed by the task (accounts/tasks.py), outside the request
    when a broker is configured (in-process without one: the laptop demo).
    """

    def save(self, **kwargs) -> None:
        from .tasks import password_reset_send

        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_send.delay(user.pk)
