"""The data-subject export (DOMAIN.md section 7): a coordinator downloads everything held about
one person. The form is posted, so the address never lands in a URL or an access log; every
export, and every search that found nothing, is in the read audit (by the cases it held,
never by the address searched)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AccessAction, AccessResult
from audit.services import audit_record
from complaints.privacy_forms import SubjectExportForm
from complaints.subject_export import subject_export
from complaints.uploads import as_download

EXPORT_SUBJECT_DATA = "audit.export_subject_data"


def subject_export_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(EXPORT_SUBJECT_DATA):
        raise PermissionDenied
    form = SubjectExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = subject_export(form.cleaned_data["email"])
        if found is None:
            audit_record(
                request=request,
                action=AccessAction.DATA_SUBJECT_EXPORT,
                result=AccessResult.NOT_FOUND,
            )
            messages.info(
                request,
                _(
                    "Nothing is held about this e-mail address: no case has it as the "
                    "complainant's or a party's address. Check the spelling, or try another "
                    "address the person used."
                ),
            )
        else:
            audit_record(
                request=request,
                action=AccessAction.DATA_SUBJECT_EXPORT,
                reference=" ".join(found.references),
                detail={
                    "cases": len(found.references),
                    "references": found.references,
                    "letters": found.letters,
                    "attachments": found.attachments,
                },
            )
            response = FileResponse(found.file, content_type="application/zip")
            name = f"data-subject-export-{timezone.localdate().isoformat()}.zip"
            return as_download(response, filename=name)
    status = 400 if form.errors else 200
    return render(request, "complaints/staff/subject_export.html", {"form": form}, status=status)
