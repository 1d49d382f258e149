"""The read audit (issue 9, point 3; DOMAIN.md section 7 "who read which case is logged").

Every view of a case page, attachment download and export is one row (who, what, when, from
where, result); PostgreSQL refuses to change or delete a row whatever code asks; the
functional admin searches the rows, and nobody else can.
"""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessRecord, AccessResult, AppendOnly
from complaints.models import Attachment
from complaints.services.status_links import status_link_issue
from reporting.models import AnnualReportRun, RunStatus
from reporting.services.reports import learning_report_make
from tests.factories import ComplaintFactory, DepartmentFactory, LetterFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"
DB_REFUSAL = (InternalError, ProgrammingError, IntegrityError)


@pytest.fixture
def handler(user_factory, department):
    return user_factory(handler=True, department=department, email="h.amrani@gemeente.example")


@pytest.fixture
def case(handler, department):
    return ComplaintFactory(
        department=department,
        handler=handler,
        complainant_name="Geheime Klager",
        complainant_email="klager@example.org",
    )


def only_record() -> AccessRecord:
    records = list(AccessRecord.objects.all())
    assert len(records) == 1, records
    return records[0]


def test_opening_a_case_records_who_what_when_and_from_where(client, handler, case):
    client.force_login(handler)
    before = timezone.now()
    assert client.get(reverse("complaints:case", args=[case.reference])).status_code == 200
    record = only_record()
    assert (record.user, record.user_email) == (handler, "h.amrani@gemeente.example")
    assert (record.action, record.reference, record.result) == (
        AccessAction.CASE_VIEW,
        case.reference,
        AccessResult.ALLOWED,
    )
    assert record.address == "127.0.0.1"  # the test client's peer
    assert before <= record.at <= timezone.now()
    # No personal data of the complainant in the row.
    row = str(AccessRecord.objects.filter(pk=record.pk).values().get())
    assert "Geheime" not in row and "klager@example.org" not in row


def test_the_address_behind_the_proxy_is_the_one_recorded(client, handler, case, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    client.force_login(handler)
    client.get(reverse("complaints:case", args=[case.reference]), HTTP_X_REAL_IP=ADDRESS)
    assert only_record().address == ADDRESS


def test_another_departments_case_and_a_missing_one_are_both_recorded_as_not_found(
    client, user_factory, case
):
    outsider = user_factory(handler=True, department=DepartmentFactory(code="bel"))
    client.force_login(outsider)
    hidden = client.get(reverse("complaints:case", args=[case.reference]))
    missing = client.get(reverse("complaints:case", args=["KL-2026-99999"]))
    assert hidden.status_code == missing.status_code == 404
    rows = list(
        AccessRecord.objects.order_by("id").values_list("user", "action", "reference", "result")
    )
    assert rows == [
        (outsider.pk, AccessAction.CASE_VIEW, case.reference, AccessResult.NOT_FOUND),
        (outsider.pk, AccessAction.CASE_VIEW, "KL-2026-99999", AccessResult.NOT_FOUND),
    ]


@pytest.mark.parametrize("role", ["handler", "manager"])
def test_the_page_shown_again_after_a_refused_action_is_a_read_too(
    client, handler, case, user_factory, department, role
):
    """It shows the whole case, to whoever posted, whether or not they opened the page first
    (a manager, who may not act, could read a case by posting an empty note). Once per
    request, like every view."""
    reader = handler if role == "handler" else user_factory(manager=True, department=department)
    client.force_login(reader)
    answer = client.post(reverse("complaints:add_note", args=[case.reference]), {"text": ""})
    assert answer.status_code == 400
    record = only_record()
    assert (record.action, record.reference, record.user) == (
        AccessAction.CASE_VIEW,
        case.reference,
        reader,
    )


def test_attachment_downloads_are_recorded_with_their_result(
    client, handler, case, user_factory, department
):
    attachment = Attachment(
        complaint=case, original_name="brief.pdf", content_type="application/pdf", size=4
    )
    attachment.file.save("brief.pdf", ContentFile(b"%PDF"), save=True)
    url = reverse("complaints:attachment", args=[case.reference, attachment.pk])
    client.force_login(handler)
    assert client.get(url).status_code == 200
    manager = user_factory(manager=True, department=department)
    client.force_login(manager)
    assert client.get(url).status_code == 403
    client.force_login(handler)
    gone = reverse("complaints:attachment", args=[case.reference, attachment.pk + 1000])
    assert client.get(gone).status_code == 404
    rows = list(
        AccessRecord.objects.order_by("id").values_list(
            "user", "action", "reference", "result", "detail"
        )
    )
    download = AccessAction.ATTACHMENT_DOWNLOAD
    assert rows == [
        (handler.pk, download, case.reference, AccessResult.ALLOWED, {"attachment": attachment.pk}),
        (manager.pk, download, case.reference, AccessResult.DENIED, {"attachment": attachment.pk}),
        (
            handler.pk,
            download,
            case.reference,
            AccessResult.NOT_FOUND,
            {"attachment": attachment.pk + 1000},
        ),
    ]


def test_a_letter_page_is_a_read_of_its_case(client, handler, case):
    """It shows the addressee and the letter's text, as the PDF does."""
    letter = LetterFactory(complaint=case)
    client.force_login(handler)
    answer = client.get(reverse("complaints:letter", args=[case.reference, letter.pk]))
    assert answer.status_code == 200
    record = only_record()
    assert (record.action, record.reference, record.user, record.detail) == (
        AccessAction.LETTER_VIEW,
        case.reference,
        handler,
        {"letter": letter.pk},
    )


def test_a_letter_pdf_download_is_recorded(client, handler, case):
    letter = LetterFactory(complaint=case)
    client.force_login(handler)
    answer = client.get(reverse("complaints:letter_pdf", args=[case.reference, letter.pk]))
    assert answer.status_code == 200
    record = only_record()
    assert (record.action, record.reference, record.user) == (
        AccessAction.LETTER_DOWNLOAD,
        case.reference,
        handler,
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_worklist_exports_are_recorded_with_their_filter_but_not_the_search_text(
    client, handler, case, file_format
):
    client.force_login(handler)
    url = reverse(f"complaints:worklist_{file_format}")
    answer = client.get(url, {"scope": "department", "q": "Geheime Klager", "overdue": "1"})
    assert answer.status_code == 200
    record = only_record()
    assert (record.user, record.action, record.result) == (
        handler,
        AccessAction.EXPORT,
        AccessResult.ALLOWED,
    )
    assert record.reference.startswith(f"worklist.{file_format} ")
    assert "scope=department" in record.reference and "overdue=True" in record.reference
    assert record.detail["query"] is True and record.detail["format"] == file_format
    assert "Geheime" not in str(AccessRecord.objects.filter(pk=record.pk).values().get())


def test_the_model_refuses_to_change_or_delete_a_record(client, handler, case):
    client.force_login(handler)
    client.get(reverse("complaints:case", args=[case.reference]))
    record = only_record()
    record.result = AccessResult.DENIED
    with pytest.raises(AppendOnly):
        record.save()
    with pytest.raises(AppendOnly):
        record.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accessrecord SET result = 'denied'",
        "UPDATE audit_accessrecord SET user_email = 'someone@else.example'",
        "DELETE FROM audit_accessrecord",
    ],
)
def test_postgresql_refuses_to_change_or_delete_a_record_whatever_code_asks(
    client, handler, case, statement
):
    client.force_login(handler)
    client.get(reverse("complaints:case", args=[case.reference]))
    record = only_record()
    with (
        pytest.raises(DB_REFUSAL, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    # The ORM's bulk paths skip the model's save() and delete(): the trigger still holds.
    with pytest.raises(DB_REFUSAL, match="append-only"), transaction.atomic():
        AccessRecord.objects.filter(pk=record.pk).update(at=record.at - timedelta(days=1))
    with pytest.raises(DB_REFUSAL, match="append-only"), transaction.atomic():
        AccessRecord.objects.filter(pk=record.pk).delete()
    assert AccessRecord.objects.filter(pk=record.pk).values("result", "at").get() == {
        "result": AccessResult.ALLOWED,
        "at": record.at,
    }


def test_the_functional_admin_searches_the_audit_and_cannot_change_it(
    client, handler, case, user_factory
):
    client.force_login(handler)
    client.get(reverse("complaints:case", args=[case.reference]))
    other = ComplaintFactory(department=case.department, handler=handler)
    client.get(reverse("complaints:case", args=[other.reference]))

    admin = user_factory(functional_admin=True)
    client.force_login(admin)
    listing = reverse("admin:audit_accessrecord_changelist")
    found = client.get(listing, {"q": case.reference})
    assert found.status_code == 200
    assert [r.reference for r in found.context["cl"].result_list] == [case.reference]
    by_user = client.get(listing, {"q": "h.amrani@"})
    assert len(by_user.context["cl"].result_list) == 2
    filtered = client.get(listing, {"action__exact": AccessAction.EXPORT})
    assert list(filtered.context["cl"].result_list) == []

    record = AccessRecord.objects.get(reference=case.reference)
    assert client.get(reverse("admin:audit_accessrecord_add")).status_code == 403
    assert client.post(
        reverse("admin:audit_accessrecord_delete", args=[record.pk])
    ).status_code in (
        403,
        302,
    )
    assert AccessRecord.objects.filter(pk=record.pk).exists()
    detail = client.get(reverse("admin:audit_accessrecord_change", args=[record.pk]))
    assert detail.status_code == 200  # read-only view
    assert client.post(
        reverse("admin:audit_accessrecord_change", args=[record.pk]), {"reference": "x"}
    ).status_code in (403, 302)
    assert AccessRecord.objects.filter(pk=record.pk, reference=case.reference).exists()


def test_a_handler_cannot_open_the_audit(client, handler):
    client.force_login(handler)
    answer = client.get(reverse("admin:audit_accessrecord_changelist"))
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    # Even with admin access, without the permission the audit stays closed.
    handler.is_staff = True
    handler.save(update_fields=["is_staff"])
    assert client.get(reverse("admin:audit_accessrecord_changelist")).status_code == 403


def test_the_annual_report_download_is_recorded(client, user_factory):
    coordinator = user_factory(coordinator=True)
    run = AnnualReportRun(year=2025, format="csv", status=RunStatus.DONE, requested_by=coordinator)
    run.file.save("annual.csv", ContentFile(b"jaar;klachten\n2025;3\n"), save=True)
    client.force_login(coordinator)
    assert client.get(reverse("reporting:annual_download", args=[run.pk])).status_code == 200
    record = only_record()
    assert (record.user, record.action, record.reference, record.detail) == (
        coordinator,
        AccessAction.EXPORT,
        "annual-report-2025.csv",
        {"annual_run": run.pk},
    )


def test_the_learning_report_pdf_download_is_recorded(client, user_factory):
    made = learning_report_make(kind="monthly", period_start=date(2025, 5, 1))
    board = user_factory(board=True)
    client.force_login(board)
    assert client.get(reverse("reporting:report_pdf", args=[made.pk])).status_code == 200
    record = only_record()
    assert (record.user, record.action, record.reference) == (
        board,
        AccessAction.EXPORT,
        "learning-report-monthly-2025-05.pdf",
    )


def test_the_complainants_own_download_through_the_status_link_is_recorded(client, case):
    attachment = Attachment(
        complaint=case,
        original_name="foto.pdf",
        content_type="application/pdf",
        size=4,
        added_by_citizen=True,
    )
    attachment.file.save("foto.pdf", ContentFile(b"%PDF"), save=True)
    token = status_link_issue(case)
    answer = client.get(reverse("status_attachment", args=[token, attachment.pk]))
    assert answer.status_code == 200
    record = only_record()
    assert (record.user, record.user_email, record.action, record.reference) == (
        None,
        "",
        AccessAction.ATTACHMENT_DOWNLOAD,
        case.reference,
    )
    assert record.detail == {"attachment": attachment.pk, "by": "status_link"}
    assert token not in str(AccessRecord.objects.values().get())  # the path is not kept
