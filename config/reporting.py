"""Django's error reports (the DEBUG page, the mails to ADMINS) with connection URLs masked.

Django masks settings and request variables whose names contain KEY, SECRET, PASS, TOKEN...;
a URL such as DATABASE_URL carries its password inside the value and was shown as it is (issue
11, finding 9): the runserver request's META holds the whole environment."""

import re

from django.views.debug import SafeExceptionReporterFilter as DjangoFilter


class SafeExceptionReporterFilter(DjangoFilter):
    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE"
        r"|(DATABASE|BROKER|EMAIL|CACHE|REDIS)_URL|RESULT_BACKEND|DSN",
        flags=re.IGNORECASE,
    )
