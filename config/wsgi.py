import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load the URL configuration (and with it every view, serializer and model module) now,
# not on the first request, then move everything loaded so far out of the garbage
# collector's sight: those objects live as long as the process, and without this every
# full collection walks all of them again (a few hundred thousand objects), a pause that
# lands on whichever request happens to trigger it.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.collect()
gc.freeze()
