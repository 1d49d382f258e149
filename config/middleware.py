from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose another language with the language switch.

    Django's own middleware follows the browser's Accept-Language header; a Dutch
    government service speaks Dutch first, whatever the browser says, and offers
    English as a choice (stored in the language cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivatePagesNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every page that may show personal data.

    That is every response to a signed-in member of staff, and the citizens' pages: the
    complaint form's steps, the status link pages and sign-in/password pages. A view that set
    its own Cache-Control (a download, the health check) keeps it; static files never pass
    here. Public pages without personal data (the home page) stay cacheable.
    """

    PRIVATE_PREFIXES = ("/complaint/", "/status/", "/accounts/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and self._private(request):
            response["Cache-Control"] = "private, no-store"
        return response

    def _private(self, request) -> bool:
        if request.path_info.startswith(self.PRIVATE_PREFIXES):
            return True
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated)
