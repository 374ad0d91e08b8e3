"""Settings for serving the app to a test client in-process (the suite, benchmarks/inbox.py):
static files from the apps' directories without `collectstatic`, and plain http (no redirect to
https, no Secure-only cookies)."""


def serve_plain_http(settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
