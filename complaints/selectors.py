"""Every read of complaint cases, scoped to the user (STYLE.md)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Least

from accounts.models import User
from config.compiled import Compiled

from .models import (
    Attachment,
    CaseEvent,
    Complaint,
    ComplaintPart,
    ContactMoment,
    InformationRequest,
    Norm,
    Note,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
    Party,
    Recommendation,
    RecommendationStatus,
    ReopenRequest,
    Stage,
    Theme,
)

VIEW_ALL = "accounts.view_all_complaints"
HANDLE = "accounts.handle_complaint"
VIEW_DEPARTMENT = "accounts.view_department_dashboard"
VIEW_SPECIAL = "accounts.view_special_category"


def complaints_visible_to(user: User) -> QuerySet[Complaint]:
    """Need to know: coordinators see every case; handlers and managers the cases of
    their department and the cases assigned to them; everyone else none."""
    return _visible(Complaint.objects.all(), _scope(user), user.department_id, user.pk)


def _scope(user: User) -> str:
    """Which cases ``user`` sees (``complaints_visible_to``): "all", "own" (their
    department's and their own), or "none"."""
    if not user.is_authenticated or not user.is_active:
        return "none"
    if user.has_perm(VIEW_ALL):
        return "all"
    if user.has_perm(HANDLE) or user.has_perm(VIEW_DEPARTMENT):
        return "own"
    return "none"


def _visible(complaints: QuerySet, scope: str, department_id, user_id) -> QuerySet[Complaint]:
    if scope == "all":
        return complaints
    if scope == "own":
        return complaints.filter(Q(department_id=department_id) | Q(handler_id=user_id))
    return complaints.none()


def _with_relations(complaints: QuerySet) -> QuerySet[Complaint]:
    # "survey": the complainant's answer, if any (a reverse one-to-one: a join, no query).
    # "ombudsman_case": the rung-3 phase, if any (a reverse one-to-one: a join, no query).
    return complaints.select_related(
        "department",
        "handler",
        "conduct_department",
        "registered_by",
        "survey",
        "ombudsman_case__ombudsman",
        # "lesson": the lesson of the learning loop (reporting app), if any: a join, no
        # query. Named by string only: complaints does not import reporting.
        "lesson__cause",
        "lesson__theme",
    )


class _VisibleCase:
    """A read of the case with a given reference that the user may see, ``shape``d by a
    function of the queryset, compiled once (``config.compiled``) for each scope: one SQL
    text for "all" and one for "own"; a user without a department has another (Django writes
    IS NULL) and is read through the ORM."""

    def __init__(self, shape) -> None:
        def own(reference, department, user):
            return shape(
                _visible(Complaint.objects.filter(reference=reference), "own", department, user)
            )

        self._shape = shape
        self._all = Compiled(
            lambda reference: shape(Complaint.objects.filter(reference=reference)), reference=str
        )
        self._own = Compiled(own, reference=str, department=int, user=int)

    def rows(self, user: User, reference: str) -> list:
        scope = _scope(user)
        if scope == "all":
            return self._all.rows(reference=reference)
        if scope == "own" and user.department_id is not None:
            return self._own.rows(reference=reference, department=user.department_id, user=user.pk)
        if scope == "own":
            return list(self._shape(complaints_visible_to(user).filter(reference=reference)))
        return []


_CASE = _VisibleCase(_with_relations)

# What the case page lists of a case: each list compiled once (config.compiled), in the
# related model's order, as ``prefetch_related`` would give it. Accessor -> query.
_LISTS = {
    "themes": Compiled(lambda case: Theme.objects.filter(complaints=case), case=int),
    "parties": Compiled(
        lambda case: Party.objects.select_related("employee").filter(complaint_id=case), case=int
    ),
    "parts": Compiled(lambda case: ComplaintPart.objects.filter(complaint_id=case), case=int),
    "contacts": Compiled(
        lambda case: ContactMoment.objects.select_related("recorded_by").filter(complaint_id=case),
        case=int,
    ),
    "notes": Compiled(
        lambda case: Note.objects.select_related("author").filter(complaint_id=case), case=int
    ),
    "attachments": Compiled(lambda case: Attachment.objects.filter(complaint_id=case), case=int),
    # With the letter of each LETTER event: the letters panel and the guards of the closing
    # moves read the letters from here (complaints.models.guards.letters_of).
    "events": Compiled(
        lambda case: (
            CaseEvent.objects.select_related("actor", "letter")
            .defer("letter__sections", "letter__body_text")
            .filter(complaint_id=case)
        ),
        case=int,
    ),
}


def complaint_for(user: User, reference: str) -> Complaint:
    """The case page's case with everything the page shows, in a fixed number of queries.
    A case the user may not see raises DoesNotExist, exactly like one that does not exist.

    The reads are compiled once (``config.compiled``): Django compiling the SQL of the case
    with its eight relations and of its seven lists was more than half of a drawn case page
    (bench/query-plans.md). What the page gets is what ``select_related`` and
    ``prefetch_related`` give: ``complaint.events.all()`` and the rest read no more."""
    found = _CASE.rows(user, reference)
    if not found:
        raise Complaint.DoesNotExist("No case with this reference that the user may see.")
    (complaint,) = found  # the reference is unique
    for name, query in _LISTS.items():
        _prefetched(complaint, name, query.rows(case=complaint.pk))
    parts = complaint.parts.all()
    if parts:
        prefetch_related_objects(parts, "norms")
    return complaint


def _prefetched(instance, name: str, rows: list) -> None:
    """``rows`` as ``prefetch_related`` keeps the related list ``name`` of ``instance``: the
    related manager's queryset (still filtered to the instance, for whoever asks more of it)
    with its results read."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _row(complaints: QuerySet) -> QuerySet:
    return complaints.order_by().values("id", "reference", "version", "updated_at")[:1]


_CASE_ROW = _VisibleCase(_row)  # the kept case page's look-up


def case_row_for(user: User, reference: str) -> dict | None:
    """What the kept case page needs of the case (``complaints.page_cache``): its id,
    reference, version and last change, if ``user`` may see it; else None. One query."""
    rows = _CASE_ROW.rows(user, reference)
    return rows[0] if rows else None


# Special-category personal data (DOMAIN.md section 7; AVG art. 9): only the assigned handler
# and the roles with ``accounts.view_special_category`` see these fields on the case page
# (``may_see_special``). The complainant's needs (a disability, their health, an interpreter)
# is the one field that holds such data by design. This is the extension point: a field added
# here is left out of the summary and the edit form of anyone else (complaints.forms), and
# ``complaints.services.complaint_update`` refuses to change it for them.
SPECIAL_CATEGORY_FIELDS = frozenset({"complainant_needs"})


def may_see_special(user: User, complaint: Complaint) -> bool:
    """Special-category fields (``SPECIAL_CATEGORY_FIELDS``) only for the
    assigned handler and the named roles (DOMAIN.md section 7): need to know within need to
    know. No query of its own: ``has_perm`` reads the user's permission cache."""
    if not user.is_authenticated:
        return False
    return complaint.handler_id == user.pk or user.has_perm(VIEW_SPECIAL)


def handlers_for(complaint: Complaint) -> QuerySet[User]:
    """Who may be assigned: active staff with the handler permission, in the case's
    department, or coordinators (who may handle any case)."""
    granted = "groups__permissions__"
    may_handle = Q(**{granted + "codename": "handle_complaint"}) & Q(
        department_id=complaint.department_id
    )
    sees_all = Q(**{granted + "codename": "view_all_complaints"})
    candidates = User.objects.filter(
        Q(**{granted + "content_type__app_label": "accounts"}) & (may_handle | sees_all),
        is_active=True,
    )
    # One query: the join may find a user through two groups, so select by id.
    return User.objects.filter(pk__in=candidates.values("pk")).order_by("full_name")


# ---------------------------------------------------------------------------
# The worklist
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WorklistFilter:
    scope: str = "mine"  # mine | department | all
    stage: str = ""
    rung: int | None = None
    theme: int | None = None
    overdue: bool = False
    query: str = ""
    include_closed: bool = False


SCOPES = ("mine", "department", "all")
# An open case, as the partial indexes of the open cases state it (Complaint.Meta.indexes).
OPEN = ~Q(stage=Stage.CLOSED)


def worklist_for(user: User, filters: WorklistFilter, *, today: date) -> QuerySet[Complaint]:
    """Open cases by deadline (no deadline last), in the user's chosen scope."""
    complaints = complaints_visible_to(user)
    if filters.scope == "mine":
        complaints = complaints.filter(handler_id=user.pk)
    elif filters.scope == "department":
        if user.has_perm(VIEW_ALL) or user.has_perm(HANDLE) or user.has_perm(VIEW_DEPARTMENT):
            # Whoever sees cases sees every case of their own department: ask for those
            # directly. With the visibility's "department or handler" OR on top, PostgreSQL
            # misjudged the rows and scanned every open case for the count of the pages.
            complaints = Complaint.objects.filter(department_id=user.department_id)
        else:
            complaints = complaints.filter(department_id=user.department_id)
    if filters.stage in Stage.values:
        complaints = complaints.filter(stage=filters.stage)
    elif not filters.include_closed:
        # "Not closed", not "stage in the open stages": the same cases, but only this is the
        # condition of the partial indexes of the open cases, so PostgreSQL can use them (the
        # count for the pages went from a scan of 50,000 open cases to an index of one
        # department's at 1,000,000 complaints).
        complaints = complaints.filter(OPEN)
    if filters.rung:
        complaints = complaints.filter(rung=filters.rung)
    if filters.theme:
        complaints = complaints.filter(themes__id=filters.theme)
    if filters.overdue:
        complaints = complaints.filter(OPEN, decision_due__lt=today)
    query = filters.query.strip()
    if query:
        complaints = complaints.filter(
            Q(reference__iexact=query)
            | Q(reference__icontains=query)
            | Q(complainant_name__icontains=query)
        )
    return complaints.select_related("department", "handler").order_by(
        F("decision_due").asc(nulls_last=True), "received_on", "id"
    )


# ---------------------------------------------------------------------------
# Due this week and overdue (the coordinator's deadline page)
# ---------------------------------------------------------------------------
def week_end(today: date) -> date:
    """The Sunday that ends the week of ``today``."""
    return today + timedelta(days=6 - today.weekday())


def due_soon_for(user: User, *, today: date) -> QuerySet[Complaint]:
    """Open cases with a due date up to the end of this week, the earliest (overdue) first.

    The due dates: the decision (Awb 9:11), the acknowledgement not yet sent, the first
    contact not yet made (service norms), the 9:8 notice, and a rung-1 log's date to close it
    or hand it over (``rung1_due``, set only while it is at rung 1). One query, on the partial
    indexes of the case.
    """
    end = week_end(today)
    # ``~Q(stage=CLOSED)`` is the condition of the partial due-date indexes: PostgreSQL reads
    # only open cases through them (EXPLAIN: a bitmap scan of one of them, never of the table).
    open_case = ~Q(stage=Stage.CLOSED)
    due = (
        Q(decision_due__lte=end)
        | Q(acknowledgement_due__lte=end, acknowledged_on__isnull=True)
        | Q(first_contact_due__lte=end, first_contact_on__isnull=True)
        | Q(not_handled_notice_due__lte=end)
        | Q(rung1_due__lte=end)
    )
    return (
        complaints_visible_to(user)
        .filter(open_case & due)
        .annotate(
            # PostgreSQL's LEAST skips NULLs: the earliest date that is still open.
            next_due=Least(
                "decision_due",
                "not_handled_notice_due",
                "rung1_due",
                Case(When(acknowledged_on__isnull=True, then=F("acknowledgement_due"))),
                Case(When(first_contact_on__isnull=True, then=F("first_contact_due"))),
            )
        )
        .select_related("department", "handler")
        .order_by("next_due", "received_on", "id")
    )


# ---------------------------------------------------------------------------
# Citizens who say their problem is not solved (the coordinator's deadline page)
# ---------------------------------------------------------------------------
def reopen_requests_open_for(user: User) -> QuerySet[ReopenRequest]:
    """Requests to reopen that no coordinator has dealt with yet, oldest first, on cases the
    user may see. One query (the partial index ``reopenrequest_open``)."""
    return (
        ReopenRequest.objects.filter(
            handled_at__isnull=True, complaint__in=complaints_visible_to(user)
        )
        .select_related("complaint", "complaint__department")
        # The FSM reads the stage of every case it loads: leave it out and each row costs a query.
        .only(
            "created_at",
            "reason",
            "complaint__reference",
            "complaint__stage",
            "complaint__department__name",
        )
        .order_by("created_at", "id")
    )


# ---------------------------------------------------------------------------
# The ombudsman phase (rung 3)
# ---------------------------------------------------------------------------
LIAISE = "accounts.liaise_ombudsman"
OPEN_RECOMMENDATION = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


def ombudsman_named() -> tuple[str, str]:
    """The name and site of the ombudsman a complainant can go to (Awb 9:12): the one the
    functional admin marks as named in letters, else the settings. One query."""
    default = (
        Ombudsman.objects.filter(is_default=True, is_active=True)
        .order_by("name")
        .only("name", "website")
        .first()
    )
    if default is None:
        return settings.OMBUDSMAN_NAME, settings.OMBUDSMAN_URL
    return default.name, default.website or settings.OMBUDSMAN_URL


@dataclass(frozen=True)
class OmbudsmanPhase:
    """What the case page shows of the ombudsman phase."""

    phase: OmbudsmanCase
    requests: list[InformationRequest]  # by due date
    recommendations: list[Recommendation]  # by due date, each with its owner's name


# The columns both kinds of row share in ``ombudsman_phase_of``, in this order.
_ROW = ("row_kind", "row_id", "row_due", "day_1", "day_2", "text_1", "text_2", "row_status",
        "owner_pk", "owner_name")  # fmt: skip


def ombudsman_phase_of(complaint: Complaint) -> OmbudsmanPhase | None:
    """The phase of a case from ``complaint_for`` (selected with it: no query) with its
    information requests and recommendations, read in one query (UNION ALL): the case page
    keeps within its ceiling. None for a case no ombudsman took up, at no cost."""
    phase = getattr(complaint, "ombudsman_case", None)  # None: no row (below rung 3)
    if phase is None:
        return None
    no_day, no_text = Value(None, output_field=DateField()), Value("", output_field=CharField())
    requests = (
        InformationRequest.objects.filter(ombudsman_case=phase)
        .annotate(
            row_kind=Value("request", output_field=CharField()),
            row_id=F("id"),
            row_due=F("due_on"),
            day_1=F("received_on"),
            day_2=F("answered_on"),
            text_1=F("question"),
            text_2=F("documents_sent"),
            row_status=no_text,
            owner_pk=Value(None, output_field=IntegerField()),
            owner_name=no_text,
        )
        .values_list(*_ROW)
        .order_by()  # no ordering inside a UNION (SQLite refuses it)
    )
    recommendations = (
        Recommendation.objects.filter(ombudsman_case=phase)
        .annotate(
            row_kind=Value("recommendation", output_field=CharField()),
            row_id=F("id"),
            row_due=F("due_on"),
            day_1=F("done_on"),
            day_2=no_day,
            text_1=F("text"),
            text_2=F("follow_up"),
            row_status=F("status"),
            owner_pk=F("owner_id"),
            owner_name=F("owner__full_name"),
        )
        .values_list(*_ROW)
        .order_by()  # no ordering inside a UNION (SQLite refuses it)
    )
    found = OmbudsmanPhase(phase=phase, requests=[], recommendations=[])
    rows = requests.union(recommendations, all=True).order_by("row_due", "row_id")
    for kind, pk, due_on, day_1, day_2, text_1, text_2, status, owner_pk, owner_name in rows:
        if kind == "request":
            found.requests.append(
                InformationRequest(
                    id=pk,
                    ombudsman_case=phase,
                    due_on=due_on,
                    received_on=day_1,
                    answered_on=day_2,
                    question=text_1,
                    documents_sent=text_2,
                )
            )
        else:
            found.recommendations.append(
                Recommendation(
                    id=pk,
                    ombudsman_case=phase,
                    due_on=due_on,
                    done_on=day_1,
                    text=text_1,
                    follow_up=text_2,
                    status=status,
                    owner=User(id=owner_pk, full_name=owner_name),
                )
            )
    return found


def norms_with_findings(phase: OmbudsmanCase) -> list[Norm]:
    """Every norm, each annotated with the ombudsman's finding on it in this phase
    (``finding_judgment``, ``finding_note``; None without one): the findings and the choices
    of the finding form in one query over the 22 norms."""
    findings = OmbudsmanFinding.objects.filter(ombudsman_case=phase, norm=OuterRef("pk"))
    return list(
        Norm.objects.annotate(
            finding_judgment=Subquery(findings.values("judgment")[:1]),
            finding_note=Subquery(findings.values("note")[:1]),
        ).order_by("number")
    )


def recommendations_open_for(user: User) -> QuerySet[Recommendation]:
    """The open recommendations a user owns, the earliest due (overdue) first: one query, on
    the partial index ``recommendation_open_owner``."""
    return (
        Recommendation.objects.filter(owner_id=user.pk, status__in=OPEN_RECOMMENDATION)
        .select_related("ombudsman_case__complaint", "ombudsman_case__ombudsman")
        # The FSM reads the stage of every case it loads: leave it out and each row costs a query.
        .only(
            "text",
            "due_on",
            "status",
            "ombudsman_case__reference",
            "ombudsman_case__ombudsman__name",
            "ombudsman_case__complaint__reference",
            "ombudsman_case__complaint__stage",
        )
        .order_by("due_on", "id")
    )


def recommendation_for(user: User, recommendation_id: int) -> Recommendation:
    """A recommendation for its owner or a coordinator; anyone else gets DoesNotExist, as for
    one that does not exist."""
    recommendations = Recommendation.objects.select_related(
        "owner", "ombudsman_case__ombudsman", "ombudsman_case__complaint"
    )
    if not user.is_authenticated or not user.is_active:
        return recommendations.none().get(pk=recommendation_id)
    if not user.has_perm(LIAISE):
        recommendations = recommendations.filter(owner_id=user.pk)
    return recommendations.get(pk=recommendation_id)
