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


class MoveRefused(CaseError):
    default = _("This step is not possible yet.")
