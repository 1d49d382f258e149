"""Keep the month rollups (reporting.rollups) up to date when what they count changes.

These are signal receivers in the higher layer (reporting listens to complaints; STYLE.md):
each marks the months a change touches, before and after, in the writer's transaction.
"""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from complaints.models import Complaint, OmbudsmanCase, SurveyResponse, Theme

from .figures import open_now_changed, open_now_changed_after_commit
from .models import ImprovementAction, Lesson
from .rollups import case_months, month_of, rollups_mark


def _remember(sender, instance: Complaint, **kwargs) -> None:
    # The months the case was counted in when it was loaded (fields not loaded are skipped).
    instance._rollup_months = case_months(instance.__dict__)


def _case_changed(sender, instance: Complaint, **kwargs) -> None:
    months = case_months(instance.__dict__) | getattr(instance, "_rollup_months", set())
    rollups_mark(months)
    instance._rollup_months = case_months(instance.__dict__)
    _now_changed()


def _now_changed(*args, **kwargs) -> None:
    """The dashboard's figures of now (open cases, improvement actions): a new version now
    and again after commit (reporting.figures.open_now_kept)."""
    open_now_changed()
    open_now_changed_after_commit()


def _themes_changed(sender, instance, action: str, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    _now_changed()  # the worklist's count of the cases of a theme
    if isinstance(instance, Complaint):
        rollups_mark([month_of(instance.received_on)])


def _closed_month_of_case(sender, instance, **kwargs) -> None:
    """A survey answer or a lesson counts in the month its case was closed."""
    closed_at = (
        Complaint.objects.filter(pk=instance.complaint_id).values_list("closed_at", flat=True)
    ).first()
    rollups_mark([month_of(closed_at)])


def _ombudsman_changed(sender, instance: OmbudsmanCase, **kwargs) -> None:
    # Its dates, and the month its case was closed (a case the ombudsman took up ended at 3).
    closed_at = (
        Complaint.objects.filter(pk=instance.complaint_id).values_list("closed_at", flat=True)
    ).first()
    rollups_mark(
        [month_of(instance.taken_up_on), month_of(instance.outcome_on), month_of(closed_at)]
    )


def connect() -> None:
    post_init.connect(_remember, sender=Complaint, dispatch_uid="rollups-remember")
    post_save.connect(_case_changed, sender=Complaint, dispatch_uid="rollups-case")
    post_delete.connect(_case_changed, sender=Complaint, dispatch_uid="rollups-case-delete")
    m2m_changed.connect(
        _themes_changed, sender=Complaint.themes.through, dispatch_uid="rollups-themes"
    )
    for model in (SurveyResponse, Lesson):
        for signal in (post_save, post_delete):
            signal.connect(
                _closed_month_of_case, sender=model, dispatch_uid=f"rollups-{model.__name__}"
            )
    for signal in (post_save, post_delete):
        signal.connect(_ombudsman_changed, sender=OmbudsmanCase, dispatch_uid="rollups-omb")
        signal.connect(_now_changed, sender=ImprovementAction, dispatch_uid="dashboard-now-action")
        # The worklist's filter of themes (complaints.views.staff.worklist).
        signal.connect(_now_changed, sender=Theme, dispatch_uid="worklist-themes")
