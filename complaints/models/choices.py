"""The vocabularies of a complaint case (DOMAIN.md sections 3 and 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """The five steps of the National Ombudsman (vuistregels), one stage each."""

    INTAKE = "intake", _("Intake")
    EXPLORE = "explore", _("Explore the problem")
    RESOLVE = "resolve", _("Resolve")
    JUDGE = "judge", _("Judge")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = (Stage.INTAKE, Stage.EXPLORE, Stage.RESOLVE, Stage.JUDGE)


class ClosureReason(models.TextChoices):
    RESOLVED = "resolved", _("Resolved to the complainant's satisfaction")  # Awb 9:5
    JUDGED = "judged", _("Handled with a judgment")  # Awb 9:12
    NOT_HANDLED = "not_handled", _("Not handled")  # Awb 9:8
    FORWARDED = "forwarded", _("Forwarded")  # Awb 2:3
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Rung(models.IntegerChoices):
    EMPLOYEE = 1, _("Rung 1: the employee removes the dissatisfaction")
    HANDLER = 2, _("Rung 2: a complaint handler seeks a solution")
    OMBUDSMAN = 3, _("Rung 3: an external handler (ombudsman)")


class Channel(models.TextChoices):
    WEB_FORM = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    SOCIAL = "social", _("Social media")
    OTHER = "other", _("Other")


# Channels whose complaints are written (Awb 9:4 and 9:6 apply); a phone or counter
# complaint is oral unless it is put in writing.
WRITTEN_CHANNELS = (Channel.WEB_FORM, Channel.EMAIL, Channel.LETTER)


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class NotHandledGround(models.TextChoices):
    """Awb 9:8: grounds not to handle a complaint."""

    ALREADY_HANDLED = "a", _("a. already handled as a complaint")
    OLDER_THAN_A_YEAR = "b", _("b. the conduct took place more than a year before")
    OBJECTION_POSSIBLE = "c", _("c. an objection (bezwaar) could have been made")
    APPEAL_POSSIBLE = "d", _("d. is or was open to appeal (beroep)")
    BEFORE_A_COURT = "e", _("e. is or was before a court")
    CRIMINAL_INVESTIGATION = "f", _("f. is under criminal investigation")
    INSUFFICIENT_INTEREST = "lid2", _("lid 2: interest or weight clearly insufficient")


class HearingWaiver(models.TextChoices):
    """Awb 9:10 lid 2: when hearing the complainant may be skipped."""

    MANIFESTLY_UNFOUNDED = "a", _("a. the complaint is manifestly unfounded")
    WAIVED = "b", _("b. the complainant waived the right to be heard")
    NO_REPLY = "c", _("c. the complainant did not reply within the set term")


class Judgment(models.TextChoices):
    WELL_FOUNDED = "well_founded", _("Well-founded")
    UNFOUNDED = "unfounded", _("Unfounded")
    NO_JUDGMENT = "no_judgment", _("No judgment")


class PartyRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("Representative")
    AFFECTED = "affected", _("Person affected")
    COMPLAINED_ABOUT = "complained_about", _("Person complained about")
