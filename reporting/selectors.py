"""Every read of the reporting app, scoped to the user (STYLE.md)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from complaints.models import Complaint, Norm, Theme
from complaints.selectors import HANDLE, complaints_visible_to

from .models import Cause, ImprovementAction, Lesson
from .models.learning import OPEN_ACTION_STATUSES

# ---------------------------------------------------------------------------
# Lessons (DOMAIN.md section 6)
# ---------------------------------------------------------------------------
OWN_ACTIONS = "accounts.own_improvement_actions"
VIEW_DEPARTMENT = "accounts.view_department_dashboard"
VIEW_ORGANISATION = "accounts.view_organisation_dashboard"


def may_handle(user: User) -> bool:
    """The handle permission of the case page (complaints/views/staff/case.py); which cases
    is ``complaints_visible_to``."""
    return user.has_perm(HANDLE)


def case_for_lesson(user: User, reference: str) -> Complaint:
    """A case the user may see, with its lesson (if any). DoesNotExist for any other, exactly
    like one that does not exist."""
    return (
        complaints_visible_to(user)
        .select_related("department", "lesson", "lesson__cause", "lesson__theme")
        .prefetch_related("themes", Prefetch("lesson__norms", queryset=Norm.objects.only("pk")))
        .get(reference=reference)
    )


def lesson_themes(complaint: Complaint) -> QuerySet[Theme]:
    """The themes a lesson may name: the case's themes and every active theme."""
    return Theme.objects.filter(Q(is_active=True) | Q(complaints=complaint)).distinct()


def active_causes() -> QuerySet[Cause]:
    return Cause.objects.filter(is_active=True)


def lesson_of(complaint: Complaint) -> Lesson | None:
    return getattr(complaint, "lesson", None)


# ---------------------------------------------------------------------------
# Improvement actions
# ---------------------------------------------------------------------------
ACTION_SCOPES = ("mine", "department", "all")


def may_work_on_actions(user: User) -> bool:
    """Owners (managers, board) and complaint handlers (who start actions from a case)."""
    return user.has_perm(OWN_ACTIONS) or user.has_perm(HANDLE)


def actions_visible_to(user: User) -> QuerySet[ImprovementAction]:
    """Board and coordinators see every action; managers those of their department; anyone
    else who works on actions the ones they own or started."""
    actions = ImprovementAction.objects.all()
    if not user.is_authenticated or not user.is_active or not may_work_on_actions(user):
        return actions.none()
    if user.has_perm(VIEW_ORGANISATION):
        return actions
    mine = Q(owner_id=user.pk) | Q(created_by_id=user.pk)
    if user.has_perm(VIEW_DEPARTMENT) and user.department_id:
        return actions.filter(mine | Q(department_id=user.department_id))
    return actions.filter(mine)


def action_scopes_for(user: User) -> list[str]:
    scopes = ["mine"]
    if user.department_id and (user.has_perm(VIEW_DEPARTMENT) or user.has_perm(VIEW_ORGANISATION)):
        scopes.append("department")
    scopes.append("all")
    return scopes


@dataclass(frozen=True)
class ActionFilter:
    scope: str = "mine"  # mine | department | all
    open_only: bool = False
    overdue: bool = False


def actions_for(user: User, filters: ActionFilter, *, today: date) -> QuerySet[ImprovementAction]:
    """The list page: open ones first by due date, then the rest; one query (plus one for the
    references of the linked cases)."""
    actions = actions_visible_to(user)
    if filters.scope == "mine":
        actions = actions.filter(owner_id=user.pk)
    elif filters.scope == "department":
        actions = actions.filter(department_id=user.department_id)
    if filters.open_only or filters.overdue:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    if filters.overdue:
        actions = actions.filter(due_on__lt=today)
    return (
        actions.select_related("owner", "department")
        .prefetch_related(
            Prefetch("complaints", queryset=Complaint.objects.only("id", "reference", "stage"))
        )
        .order_by("due_on", "id")
    )


def action_for(user: User, action_id: int) -> ImprovementAction:
    """One action the user may see, with its linked cases; DoesNotExist for any other."""
    return (
        actions_visible_to(user)
        .select_related("owner", "department", "created_by")
        .prefetch_related(
            Prefetch(
                "complaints",
                queryset=Complaint.objects.only("id", "reference", "stage").order_by("reference"),
            )
        )
        .get(pk=action_id)
    )


def visible_complaint_ids(user: User, complaints: list[Complaint]) -> set[int]:
    """Which of these cases the user may open (one query), to link only those."""
    ids = [complaint.pk for complaint in complaints]
    if not ids:
        return set()
    return set(complaints_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def action_owners() -> QuerySet[User]:
    """Who may own an action: active users holding accounts.own_improvement_actions."""
    granted = Q(
        groups__permissions__codename="own_improvement_actions",
        groups__permissions__content_type__app_label="accounts",
    ) | Q(
        user_permissions__codename="own_improvement_actions",
        user_permissions__content_type__app_label="accounts",
    )
    candidates = User.objects.filter(granted, is_active=True)
    return User.objects.filter(pk__in=candidates.values("pk")).order_by("full_name")


def complaints_by_reference(user: User, references: list[str]) -> dict[str, Complaint]:
    """The cases among ``references`` the user may see, by reference (one query)."""
    if not references:
        return {}
    found = complaints_visible_to(user).filter(reference__in=references).only("id", "reference")
    return {complaint.reference: complaint for complaint in found}
