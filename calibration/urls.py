from django.urls import path

from calibration import views, views_letter

app_name = "calibration"

urlpatterns = [
    # Sessions and the board (calibration/views.py)
    path("calibration/", views.sessions, name="sessions"),
    path("calibration/<int:pk>/", views.board, name="session"),
    path("calibration/<int:pk>/open/", views.session_open, name="session-open"),
    path("calibration/<int:pk>/finalize/", views.session_finalize, name="session-finalize"),
    path("calibration/<int:pk>/log/", views.log, name="log"),
    path("calibration/<int:pk>/packet/", views.packet, name="packet"),
    path("calibration/<int:pk>/packet/status/", views.packet_status, name="packet-status"),
    path("calibration/<int:pk>/packet.pdf", views.packet_download, name="packet-download"),
    path("calibration/<int:pk>/export.csv", views.export_csv, name="export"),
    path("calibration/cases/<int:pk>/", views.case, name="case"),
    # The engineer's outcome letter (calibration/views_letter.py)
    path("reviews/<int:pk>/outcome/", views_letter.letter, name="letter"),
    path("reviews/<int:pk>/outcome.pdf", views_letter.letter_pdf, name="letter-pdf"),
]
