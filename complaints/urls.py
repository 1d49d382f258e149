from django.urls import path

from .views.staff import case, deadlines, intake, outbox, worklist

app_name = "complaints"

urlpatterns = [
    path("", worklist.worklist, name="worklist"),
    path("new/", intake.register, name="register"),
    path("due/", deadlines.due, name="due"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<int:message_id>/retry/", outbox.retry, name="outbox_retry"),
    path("<str:reference>/", case.case, name="case"),
    path("<str:reference>/move/", case.move, name="move"),
    path("<str:reference>/assign/", case.assign, name="assign"),
    path("<str:reference>/acknowledge/", case.acknowledge, name="acknowledge"),
    path("<str:reference>/edit/<str:section>/", case.edit_section, name="edit"),
    path("<str:reference>/contacts/", case.add_contact, name="add_contact"),
    path("<str:reference>/deadlines/committee/", case.set_committee, name="set_committee"),
    path("<str:reference>/deadlines/postpone/", case.postpone, name="postpone"),
    path("<str:reference>/deadlines/extend/", case.extend, name="extend"),
    path("<str:reference>/notes/", case.add_note, name="add_note"),
    path("<str:reference>/parts/", case.add_part, name="add_part"),
    path("<str:reference>/parts/<int:part_id>/", case.judge_part, name="judge_part"),
    path("<str:reference>/parties/", case.add_party, name="add_party"),
    path("<str:reference>/parties/<int:party_id>/remove/", case.remove_party, name="remove_party"),
    path("<str:reference>/attachments/", case.add_attachment, name="add_attachment"),
    path(
        "<str:reference>/reopen-requests/<int:request_id>/handled/",
        case.reopen_request_handled,
        name="reopen_request_handled",
    ),
    path(
        "<str:reference>/attachments/<int:attachment_id>/",
        case.download_attachment,
        name="attachment",
    ),
]
