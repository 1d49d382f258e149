"""Rollups for the dashboards and reports: per handling department and calendar month, the
figures of the cases anchored in that month, kept up to date by ``reporting.rollups``.

A dashboard reads at most (departments x months) of these rows, whatever the number of cases;
see reporting/rollups.py for what each figure counts and when a month is recomputed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthFigures(models.Model):
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))  # the first day of the month
    # Anchored on the day the case was received (received_on).
    received = models.PositiveIntegerField(default=0)
    received_written = models.PositiveIntegerField(default=0)
    # Anchored on the local day the case was closed (closed_at).
    closed = models.PositiveIntegerField(default=0)
    ended_rung1 = models.PositiveIntegerField(default=0)
    ended_rung2 = models.PositiveIntegerField(default=0)
    ended_rung3 = models.PositiveIntegerField(default=0)
    with_term = models.PositiveIntegerField(default=0)  # closed with a legal decision date
    in_term = models.PositiveIntegerField(default=0)  # ... and closed on or before it
    # Anchored on the day the case was logged at rung 1 (a cohort) and on the escalation day.
    logged_rung1 = models.PositiveIntegerField(default=0)
    logged_rung1_escalated = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    # Anchored on the day the ombudsman took the case up.
    ombudsman_taken_up = models.PositiveIntegerField(default=0)
    # Count maps (JSON objects of key -> count), merged by the reader:
    closure_reasons = models.JSONField(default=dict)  # closed, per closure reason
    lead_days = models.JSONField(default=dict)  # closed, per calendar days received -> closed
    judgments = models.JSONField(default=dict)  # parts of the closed cases, per judgment
    themes = models.JSONField(default=dict)  # received, per theme id
    causes = models.JSONField(default=dict)  # lessons of the closed cases, per cause id
    ratings = models.JSONField(default=dict)  # survey answers of the closed cases, per rating
    ombudsman_outcomes = models.JSONField(default=dict)  # per outcome, on the outcome day
    # Indexed: the dashboard shows the time of the last refresh (MAX over every row: 4 ms at
    # 1,000,000 complaints without the index, an index probe with it).
    refreshed_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("month figures")
        verbose_name_plural = _("month figures")
        constraints = [
            models.UniqueConstraint(fields=["month", "department"], name="month_figures_unique")
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}"


class DirtyMonth(models.Model):
    """A month whose figures changed since they were last computed."""

    month = models.DateField(unique=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
