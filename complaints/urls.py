from django.urls import path

import complaints.converters  # noqa: F401 -- registers <ref:...>

from .views.staff import (
    case,
    deadlines,
    intake,
    ladder,
    letters,
    ombudsman,
    outbox,
    worklist,
)

app_name = "complaints"

urlpatterns = [
    path("", worklist.worklist, name="worklist"),
    path("export.csv", worklist.export, {"file_format": "csv"}, name="worklist_csv"),
    path("export.xlsx", worklist.export, {"file_format": "xlsx"}, name="worklist_xlsx"),
    path("new/", intake.register, name="register"),
    path("quick-log/", ladder.quick_log, name="quick_log"),
    path("due/", deadlines.due, name="due"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:message_id>/retry/", outbox.retry, name="outbox_retry"),
    path(
        "recommendations/<int:recommendation_id>/", ombudsman.recommendation, name="recommendation"
    ),
    path("<ref:reference>/", case.case, name="case"),
    path("<ref:reference>/letters/new/", letters.new, name="letter_new"),
    path("<ref:reference>/letters/<int:letter_id>/", letters.letter, name="letter"),
    path(
        "<ref:reference>/letters/<int:letter_id>/posted/",
        letters.posted,
        name="letter_posted",
    ),
    path(
        "<ref:reference>/letters/<int:letter_id>/discard/",
        letters.discard,
        name="letter_discard",
    ),
    path("<ref:reference>/letters/<int:letter_id>/pdf/", letters.pdf, name="letter_pdf"),
    path("<ref:reference>/move/", case.move, name="move"),
    path("<ref:reference>/assign/", case.assign, name="assign"),
    path("<ref:reference>/escalate/", case.escalate, name="escalate"),
    path("<ref:reference>/acknowledge/", case.acknowledge, name="acknowledge"),
    path("<ref:reference>/edit/<str:section>/", case.edit_section, name="edit"),
    path("<ref:reference>/contacts/", case.add_contact, name="add_contact"),
    path("<ref:reference>/deadlines/committee/", case.set_committee, name="set_committee"),
    path("<ref:reference>/deadlines/postpone/", case.postpone, name="postpone"),
    path("<ref:reference>/deadlines/extend/", case.extend, name="extend"),
    path("<ref:reference>/notes/", case.add_note, name="add_note"),
    path("<ref:reference>/parts/", case.add_part, name="add_part"),
    path("<ref:reference>/parts/<int:part_id>/", case.judge_part, name="judge_part"),
    path("<ref:reference>/parties/", case.add_party, name="add_party"),
    path(
        "<ref:reference>/parties/<int:party_id>/remove/",
        case.remove_party,
        name="remove_party",
    ),
    path("<ref:reference>/attachments/", case.add_attachment, name="add_attachment"),
    path(
        "<ref:reference>/reopen-requests/<int:request_id>/handled/",
        case.reopen_request_handled,
        name="reopen_request_handled",
    ),
    path(
        "<ref:reference>/attachments/<int:attachment_id>/",
        case.download_attachment,
        name="attachment",
    ),
    # Rung 3: the ombudsman phase (views/staff/ombudsman.py).
    path("<ref:reference>/ombudsman/", ombudsman.start, name="ombudsman_start"),
    path("<ref:reference>/ombudsman/requests/", ombudsman.add_request, name="ombudsman_request"),
    path(
        "<ref:reference>/ombudsman/requests/<int:request_id>/answer/",
        ombudsman.answer_request,
        name="ombudsman_request_answer",
    ),
    path("<ref:reference>/ombudsman/outcome/", ombudsman.outcome, name="ombudsman_outcome"),
    path("<ref:reference>/ombudsman/findings/", ombudsman.finding, name="ombudsman_finding"),
    path(
        "<ref:reference>/ombudsman/recommendations/",
        ombudsman.add_recommendation,
        name="ombudsman_recommendation",
    ),
    path(
        "<ref:reference>/ombudsman/recommendations/<int:recommendation_id>/",
        ombudsman.follow_up,
        name="ombudsman_follow_up",
    ),
    path("<ref:reference>/ombudsman/response/", ombudsman.response, name="ombudsman_response"),
]
