"""The learning reports (list, page, PDF, make again) and the annual report (the background
job with its progress and file, and the publishable report as a page): parse, call, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AccessAction
from audit.services import audit_record
from complaints.uploads import as_download
from reporting.annual import CONTENT_TYPES, annual_summary, report_title, summary_sections
from reporting.models import AnnualReportRun, LearningReport, RunStatus
from reporting.pdf import html_to_pdf
from reporting.report_forms import AnnualReportForm, ReportMakeForm
from reporting.report_selectors import (
    annual_run_for,
    annual_runs_for,
    learning_report_for,
    learning_reports_for,
    may_produce_annual,
    may_read_annual,
    may_remake_reports,
    may_see_reports,
    report_departments,
    report_page,
)
from reporting.services.annual import annual_report_request
from reporting.services.reports import learning_report_make
from reporting.services.reports import report_title as period_title

PAGE_SIZE = 50


# ---------------------------------------------------------------------------
# Learning reports
# ---------------------------------------------------------------------------
def _make_form(request: HttpRequest, data=None) -> ReportMakeForm | None:
    if not may_remake_reports(request.user):
        return None
    return ReportMakeForm(data, departments=report_departments())


def reports(request: HttpRequest) -> HttpResponse:
    if not may_see_reports(request.user):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    page = Paginator(learning_reports_for(request.user, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "kind": kind, "make_form": _make_form(request)}
    return render(request, "reporting/reports/list.html", context)


def _report_or_404(request: HttpRequest, report_id: int) -> LearningReport:
    if not may_see_reports(request.user):
        raise PermissionDenied
    try:
        return learning_report_for(request.user, report_id)
    except LearningReport.DoesNotExist as missing:
        raise Http404 from missing


def report(request: HttpRequest, report_id: int) -> HttpResponse:
    found = _report_or_404(request, report_id)
    context = {
        "page": report_page(found),
        "title": period_title(found),
        "may_remake": may_remake_reports(request.user),
    }
    return render(request, "reporting/reports/detail.html", context)


def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    found = _report_or_404(request, report_id)
    title = period_title(found)
    html = render(
        request,
        "reporting/pdf/learning_report.html",
        {"page": report_page(found), "title": title, "language": get_language()},
    ).content.decode()
    name = f"learning-report-{found.kind}-{found.period_start:%Y-%m}.pdf"
    audit_record(
        request=request,
        action=AccessAction.EXPORT,
        reference=name,
        detail={"learning_report": found.pk},
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    return as_download(response, filename=name)


@require_POST
def report_make(request: HttpRequest) -> HttpResponse:
    form = _make_form(request, request.POST)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        messages.error(
            request,
            _("The report could not be made: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return redirect("reporting:reports")
    made = learning_report_make(
        kind=form.cleaned_data["kind"],
        period_start=form.cleaned_data["month"],
        department_id=form.cleaned_data["department"],
    )
    messages.success(request, _("The report is made with the figures of today."))
    return redirect("reporting:report", report_id=made.pk)


# ---------------------------------------------------------------------------
# The annual report
# ---------------------------------------------------------------------------
def annual(request: HttpRequest) -> HttpResponse:
    if not may_produce_annual(request.user):
        raise PermissionDenied
    last_year = timezone.localdate().year - 1
    form = AnnualReportForm(request.POST or None, initial={"year": last_year})
    if request.method == "POST" and form.is_valid():
        run = annual_report_request(
            actor=request.user,
            year=form.cleaned_data["year"],
            file_format=form.cleaned_data["format"],
            language=get_language() or "nl",
        )
        return redirect("reporting:annual_run", run_id=run.pk)
    context = {"form": form, "runs": annual_runs_for(request.user)[:20], "last_year": last_year}
    status = 400 if form.errors else 200
    return render(request, "reporting/annual/index.html", context, status=status)


def _run_or_404(request: HttpRequest, run_id: int) -> AnnualReportRun:
    if not may_produce_annual(request.user):
        raise PermissionDenied
    try:
        return annual_run_for(request.user, run_id)
    except AnnualReportRun.DoesNotExist as missing:
        raise Http404 from missing


def annual_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED)
    template = "reporting/annual/progress.html" if request.htmx else "reporting/annual/run.html"
    return render(request, template, {"run": run, "finished": finished})


def annual_download(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run_or_404(request, run_id)
    if run.status != RunStatus.DONE or not run.file:
        raise Http404
    name = f"annual-report-{run.year}.{run.format}"
    audit_record(
        request=request, action=AccessAction.EXPORT, reference=name, detail={"annual_run": run.pk}
    )
    response = FileResponse(run.file.open("rb"), content_type=CONTENT_TYPES[run.format])
    return as_download(response, filename=name)


def annual_page(request: HttpRequest, year: int) -> HttpResponse:
    if not may_read_annual(request.user):
        raise PermissionDenied
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    summary = annual_summary(year)
    context = {
        "year": year,
        "title": report_title(year),
        "summary": summary,
        "sections": summary_sections(summary),
        "may_produce": may_produce_annual(request.user),
    }
    return render(request, "reporting/annual/report.html", context)
