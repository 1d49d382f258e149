import hashlib
from dataclasses import asdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import User
from audit.models import AccessAction
from audit.services import audit_record
from complaints.models import Rung, Stage, Theme
from complaints.page_cache import kept_response, page_keep, shared_token, shows_once
from complaints.selectors import SCOPES, WorklistFilter, worklist_for
from complaints.uploads import as_download
from config.release import release_token
from reporting import exports
from reporting.figures import NOW_CACHE_SECONDS, kept_now, now_version

PAGE_SIZE = 50
# What a row of the worklist shows (worklist.html, the tag ``worklist_rows``), read as values:
# the other 60-odd columns of the case, and of its department and handler, are not read
# (bench/query-plans.md).
ROW_VALUES = (
    "reference",
    "complainant_name",
    "stage",
    "rung",
    "decision_due",
    "department__name",
    "handler__full_name",
)


def _int(value: str) -> int | None:
    """A filter's id, or None (the filter is left out) for anything else: "²" is a digit to
    ``isdigit`` but no number to ``int``."""
    return int(value) if value.isascii() and value.isdecimal() and len(value) <= 18 else None


def parse_filters(request: HttpRequest) -> WorklistFilter:
    get = request.GET
    scope = get.get("scope", "mine")
    if scope not in SCOPES or (
        scope == "all" and not request.user.has_perm("accounts.view_all_complaints")
    ):
        scope = "mine"
    return WorklistFilter(
        scope=scope,
        stage=get.get("stage", "") if get.get("stage", "") in Stage.values else "",
        rung=_int(get.get("rung", "")),
        theme=_int(get.get("theme", "")),
        overdue=get.get("overdue") == "1",
        # Without NUL characters, which PostgreSQL cannot compare (a server error otherwise).
        query=get.get("q", "").replace("\x00", "")[:100],
    )


def _count_key(user: User, filters: WorklistFilter, today: date) -> str:
    """The count and the rows depend on the filters, today (overdue), and on who asks: the
    cases they may see follow from their id (handler), department and permissions. One
    user's visit never gives another user's cases."""
    asked = (user.pk, user.department_id, sorted(user.get_all_permissions()), asdict(filters))
    digest = hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    return f"worklist-count:{today.isoformat()}:{digest}"


def _active_themes() -> list[tuple[int, str]]:
    # (id, name) pairs: no model instances for a list of options.
    return list(Theme.objects.filter(is_active=True).values_list("pk", Theme.name_field()))


def require_worklist_access(user: User) -> None:
    """Handlers and managers; the worklist and its downloads share this check."""
    if not (
        user.has_perm("accounts.handle_complaint")
        or user.has_perm("accounts.view_department_dashboard")
    ):
        raise PermissionDenied


def _page_key(request: HttpRequest, count_key: str, version: str | None) -> str | None:
    """The key of the whole page (``complaints.page_cache``), kept as its count and rows are:
    until a case or a theme changes (``version``), at most ``NOW_CACHE_SECONDS`` from the
    drawing (a write that passes the signals is seen within twice that: the rows the page was
    drawn with may have been kept that long already); and until anything the shell shows
    changes (the shared token: the user's name, their menu). ``count_key``: who asks and for
    what, today. The query string as it is: the page's links repeat it
    (``{% querystring %}``). None: drawn, not kept (no cache, not a GET, or a message to
    show once)."""
    if version is None or request.method != "GET" or shows_once(request):
        return None
    shared = shared_token()
    if shared is None:
        return None
    query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()[:16]
    language = get_language() or ""
    parts = ("worklist-page", release_token(), version, shared, count_key, query, language)
    return ":".join(parts)


def worklist(request: HttpRequest) -> HttpResponse:
    """The worklist; the whole page kept until what it shows changes (``_page_key``): a visit
    then makes no query of its own and draws nothing."""
    user = request.user
    require_worklist_access(user)
    filters = parse_filters(request)
    today = timezone.localdate()
    version = now_version()
    key = _count_key(user, filters, today)
    page_key = _page_key(request, key, version)
    kept = kept_response(request, page_key)
    if kept is not None:
        return kept
    complaints = worklist_for(user, filters, today=today)
    paginator = Paginator(complaints, PAGE_SIZE)
    # The count, the rows and the themes kept until a case or a theme changes (every save of
    # a case, a change of its themes, a save of a theme: reporting.figures.now_version; at
    # most 60 s for what passes those signals: a queryset update, the rename of a department
    # or a handler, whose names are in the rows). At 1,000,000 complaints the count of a
    # department's open cases reads 9,000 entries of an index otherwise (bench/query-plans.md).
    paginator.count = kept_now(key, complaints.count, version=version)
    page = paginator.get_page(request.GET.get("page"))
    # The page's rows as values; the count of the pages on the cases alone (a count of the
    # values query would keep its joins: 2 ms became 45 ms at 1,000,000 complaints). Both kept
    # until a case changes: a visit with nothing changed makes no query of its own.
    rows = page.object_list.values(*ROW_VALUES)
    page.object_list = kept_now(f"{key}:{page.number}", lambda: list(rows), version=version)
    # One CSRF token for the page and the shell (the sign-out form): a kept page has it
    # replaced by the visitor's.
    csrf_token = get_token(request)
    response = render(
        request,
        "complaints/staff/worklist.html",
        {
            "page": page,
            "filters": filters,
            "today": today,
            "stages": Stage.choices,
            "rungs": Rung.choices,
            "themes": kept_now(
                f"worklist-themes:{get_language()}", _active_themes, version=version
            ),
            "can_see_all": user.has_perm("accounts.view_all_complaints"),
            "csrf_token": csrf_token,
        },
    )
    page_keep(page_key, request, response, csrf_token=csrf_token, seconds=NOW_CACHE_SECONDS)
    return response


def export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The cases the worklist's filters show, every page, as a CSV or XLSX download."""
    require_worklist_access(request.user)
    today = timezone.localdate()
    filters = parse_filters(request)
    complaints = worklist_for(request.user, filters, today=today)
    # What the export held is its filter; the search text may be a citizen's name, so the
    # audit says only that there was one.
    held = {**asdict(filters), "query": bool(filters.query), "format": file_format}
    audit_record(
        request=request,
        action=AccessAction.EXPORT,
        reference=f"worklist.{file_format} "
        + " ".join(
            f"{key}={value}" for key, value in held.items() if value not in ("", None, False)
        ),
        detail=held,
    )
    if file_format == "xlsx":
        response = HttpResponse(exports.cases_xlsx(complaints), exports.XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.cases_csv(complaints), exports.CSV_CONTENT_TYPE)
    return as_download(response, filename=f"cases-{today.isoformat()}.{file_format}")
