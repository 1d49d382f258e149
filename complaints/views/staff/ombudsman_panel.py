"""The "Ombudsman (rung 3)" panel of the case page: what it shows and which forms it offers.

``render_case`` (``views/staff/case.py``) calls ``ombudsman_context``; the actions are in
``views/staff/ombudsman.py``. Below rung 3 the panel costs no query (the phase is a join of
``complaint_for``), except the list of ombudsmen for a coordinator who may record one; at
rung 3 it costs two: the information requests with the recommendations (one UNION), and the
norms with the ombudsman's findings (which also give the choices of the finding form).
"""

from django.http import HttpRequest

from complaints.models import Complaint, ComplaintPart, Judgment, Norm, Recommendation
from complaints.ombudsman_forms import (
    AnswerForm,
    FindingForm,
    FollowUpForm,
    InformationRequestForm,
    OmbudsmanStartForm,
    OutcomeForm,
    RecommendationForm,
    ResponseForm,
)
from complaints.selectors import OPEN_RECOMMENDATION, norms_with_findings, ombudsman_phase_of
from complaints.services.ombudsman import (
    LIAISE,
    follow_up_seen,
    may_follow_up,
    ombudsman_start_refusal,
    outcome_seen,
    response_seen,
)

ADD_RECOMMENDATION = "recommendation"  # ?edit=recommendation opens the form (it lists staff)


def answer_form(request_id: int, data=None) -> AnswerForm:
    """The answer form of one information request: the panel shows it, the action binds it
    (the prefix keeps the forms of several requests apart)."""
    return AnswerForm(data, prefix=f"answer-{request_id}")


def follow_up_form(recommendation: Recommendation, data=None) -> FollowUpForm:
    """The follow-up form of one recommendation, filled in with its current state."""
    return FollowUpForm(
        data,
        prefix=f"follow-up-{recommendation.pk}",
        initial={
            "status": recommendation.status,
            "follow_up": recommendation.follow_up,
            "seen": follow_up_seen(recommendation),
        },
    )


def judgment_table(parts: list[ComplaintPart], norms: list[Norm]) -> list[dict]:
    """Per norm: the complaint parts judged against it (the internal judgment) and the
    ombudsman's finding on it (None: none). Only norms with either; by norm number."""
    rows: dict[int, dict] = {}

    def row(norm: Norm) -> dict:
        return rows.setdefault(norm.pk, {"norm": norm, "parts": [], "finding": None, "note": ""})

    for part in parts:
        for norm in part.norms.all():
            row(norm)["parts"].append(part)
    for norm in norms:
        if norm.finding_judgment:
            found = row(norm)
            found["finding"] = Judgment(norm.finding_judgment).label
            found["note"] = norm.finding_note
    return sorted(rows.values(), key=lambda found: found["norm"].number)


def ombudsman_context(
    request: HttpRequest, complaint: Complaint, context: dict, forms: dict
) -> dict:
    """The panel's part of the case page context. ``forms`` holds the bound forms of a failed
    action (taken out here, so the user's input is shown again)."""
    user = request.user
    can_liaise = user.has_perm(LIAISE)
    found = ombudsman_phase_of(complaint)
    if found is None:
        if can_liaise and ombudsman_start_refusal(complaint) is None:
            return {
                "ombudsman_start_form": forms.pop("ombudsman_start_form", None)
                or OmbudsmanStartForm()
            }
        return {}

    phase = found.phase
    norms = norms_with_findings(phase)
    answer_forms = forms.pop("answer_forms", {})
    follow_up_forms = forms.pop("follow_up_forms", {})
    data = {
        "ombudsman_phase": phase,
        "ombudsman_can_liaise": can_liaise,
        "ombudsman_judgments": judgment_table([part for part, _form in context["parts"]], norms),
        "ombudsman_requests": [
            {
                "item": item,
                "form": (answer_forms.get(item.pk) or answer_form(item.pk))
                if can_liaise and not item.answered_on
                else None,
            }
            for item in found.requests
        ],
        "ombudsman_recommendations": [
            {
                "item": item,
                "open": item.status in OPEN_RECOMMENDATION,
                "form": (follow_up_forms.get(item.pk) or follow_up_form(item))
                if may_follow_up(user, item)
                else None,
            }
            for item in found.recommendations
        ],
    }
    if not can_liaise:
        return data

    finding_form = forms.pop("finding_form", None) or FindingForm()
    # The norms are read already (with the findings): no second query for the choices.
    finding_form.fields["norm"].choices = [
        ("", "---------"),
        *((norm.pk, str(norm)) for norm in norms if norm.is_active),
    ]
    recommendation_form = forms.pop("recommendation_form", None)
    if recommendation_form is None and request.GET.get("edit") == ADD_RECOMMENDATION:
        recommendation_form = RecommendationForm()
    data.update(
        {
            "information_request_form": forms.pop("information_request_form", None)
            or InformationRequestForm(),
            "outcome_form": forms.pop("outcome_form", None)
            or OutcomeForm(
                initial={
                    "outcome": phase.outcome or None,
                    "summary": phase.outcome_summary,
                    "seen": outcome_seen(phase),
                    **({"outcome_on": phase.outcome_on} if phase.outcome_on else {}),
                }
            ),
            "finding_form": finding_form,
            "recommendation_form": recommendation_form,
            "response_form": forms.pop("response_form", None)
            or ResponseForm(
                initial={
                    "response": phase.response,
                    "seen": response_seen(phase),
                    **({"response_on": phase.response_on} if phase.response_on else {}),
                }
            ),
        }
    )
    return data
