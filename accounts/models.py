from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .managers import UserManager


class Department(models.Model):
    """An organisational unit: complaints are about, and handled by, departments."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. BZ.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    receives_public_complaints = models.BooleanField(
        _("receives complaints from the public form"),
        default=False,
        help_text=_(
            "The complaints desk: complaints from the public form are handled here. "
            "Without one, the department the citizen chose handles the complaint."
        ),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Logs in with an e-mail address; roles are groups (see roles.py)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("May use the configuration screens (functional administrators)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                # Instead of Django's "Constraint ... is violated" beside the field's message.
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.shown_as(self.full_name, self.email)

    @staticmethod
    def shown_as(full_name: str, email: str) -> str:
        """How a user is shown (``str(user)``), from the two columns: for lists read as values
        (complaints.views.staff.case.user_options)."""
        return full_name or email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class StaffPermission(models.Model):
    """Anchor for the named permissions of the staff roles (DOMAIN.md section 1).

    It has no table: the permissions are what matter. Which role holds which is
    defined in ``accounts/roles.py``.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("log_rung1", _("Log dissatisfaction removed on the spot (rung 1)")),
            ("register_complaint", _("Register a complaint")),
            ("handle_complaint", _("Handle complaints of the own department")),
            ("assign_complaint", _("Assign complaints to handlers")),
            ("reopen_complaint", _("Reopen a closed complaint")),
            ("view_all_complaints", _("See complaints of every department")),
            # DOMAIN.md section 7: special-category fields only the assigned handler
            # (complaints.selectors.SPECIAL_CATEGORY_FIELDS) and the roles that hold this.
            (
                "view_special_category",
                _("See special-category personal data of cases handled by someone else"),
            ),
            ("watch_deadlines", _("Watch the deadlines of the whole organisation")),
            ("liaise_ombudsman", _("Record the ombudsman phase (rung 3)")),
            ("view_department_dashboard", _("See the dashboard of the own department")),
            ("view_organisation_dashboard", _("See the dashboard of the organisation")),
            ("own_improvement_actions", _("Own improvement actions")),
            ("produce_annual_report", _("Produce the annual report")),
            ("configure", _("Configure departments, themes, norms, letters and deadlines")),
            ("manage_users", _("Manage staff accounts and roles")),
        ]

    def __str__(self) -> str:
        return "staff permissions"
