from django.utils.cache import patch_cache_control


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user.

    Redirects, 404s and the CSV (it carries e-mail addresses) too: after logout, neither a
    shared browser's back button nor a proxy may show what the page held.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: a login or logout in it has already changed request.user.
        # WhiteNoise answers static files before AuthenticationMiddleware sets request.user.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
