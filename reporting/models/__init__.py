from .learning import ActionEffect, ActionStatus, Cause, ImprovementAction, Lesson
from .reports import AnnualReportRun, LearningReport, ReportKind, RunStatus
from .rollups import DirtyMonth, MonthFigures

__all__ = [
    "ActionEffect",
    "ActionStatus",
    "AnnualReportRun",
    "Cause",
    "DirtyMonth",
    "ImprovementAction",
    "LearningReport",
    "Lesson",
    "MonthFigures",
    "ReportKind",
    "RunStatus",
]
