# Django's login and password-reset views are already open to anonymous users
# (login_not_required); every other view here needs a signed-in member of staff.
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import PasswordResetForm
from .middleware import mfa_exempt

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    # Signing out needs no second factor.
    path("logout/", mfa_exempt(auth_views.LogoutView.as_view()), name="logout"),
    # Two-factor sign-in (accounts/mfa.py): the code after the password, enrolment, recovery codes.
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("two-factor/settings/", views.mfa_settings, name="mfa_settings"),
    path("two-factor/recovery-codes/", views.mfa_recovery_codes_new, name="mfa_recovery_codes_new"),
    path(
        "password/reset/",
        # The mail goes out from a task (accounts/tasks.py): the same answer for every address.
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
