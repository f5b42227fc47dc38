"""The stack floor `make bench-throughput` compares Levelhead with: Django's hello world.

One module, no settings file, no apps, no middleware, no database: one view that answers
"Hello, world". scripts/throughput.py serves it with the same gunicorn command line as
Levelhead (``gunicorn --chdir scripts/hello -w 2 hello:application``), so the ratio of the
two request rates says how much of a request's cost is Levelhead's own work.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "hello-world-only-answers-hello-world-" + "x" * 20),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_I18N=False,
)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
