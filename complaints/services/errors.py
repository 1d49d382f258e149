from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    """A domain error whose message can be shown to the user as it is."""

    default = _("This action is not possible.")

    def __init__(self, message=None, reasons=None):
        self.message = message or self.default
        self.reasons = list(reasons or [])
        super().__init__(str(self.message))


class StaleAction(CaseError):
    default = _(
        "Someone else changed this case while you were looking at it. "
        "The page now shows the latest version; check it and try again."
    )


class ReplacedMeanwhile(StaleAction):
    """A record that a save replaces (the ombudsman's outcome, the organisation's response, the
    follow-up of a recommendation) was saved by someone else after the form was opened.
    ``seen``: what the form must carry to replace it after all (``record_seen``)."""

    default = _(
        "A colleague saved this in the meantime: the page shows what they saved. What you "
        "typed is still in the form; save it again to replace theirs."
    )

    def __init__(self, seen: str):
        super().__init__()
        self.seen = seen


class MoveRefused(CaseError):
    default = _("This step is not possible yet.")
