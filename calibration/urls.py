from __future__ import annotations

from django.urls import include, path

from calibration.views import board, case, documents, letter, promotions

app_name = "calibration"

urlpatterns = [
    # Sessions, the board and the decision log (calibration/views/board.py)
    path("calibration/", board.sessions, name="sessions"),
    path("calibration/<int:pk>/", board.board, name="session"),
    path("calibration/<int:pk>/open/", board.session_open, name="session-open"),
    path("calibration/<int:pk>/finalize/", board.session_finalize, name="session-finalize"),
    path("calibration/<int:pk>/log/", board.log, name="log"),
    # The packet and the CSV export (calibration/views/documents.py)
    path("calibration/<int:pk>/packet/", documents.packet, name="packet"),
    path("calibration/<int:pk>/packet/status/", documents.packet_status, name="packet-status"),
    path("calibration/<int:pk>/packet.pdf", documents.packet_download, name="packet-download"),
    path("calibration/<int:pk>/export.csv", documents.export_csv, name="export"),
    # A case and its decision form (calibration/views/case.py)
    path("calibration/cases/<int:pk>/", case.case, name="case"),
    # Applying a cycle's approved promotions (calibration/views/promotions.py)
    path(
        "cycles/<int:pk>/apply-promotions/",
        promotions.apply_promotions,
        name="apply-promotions",
    ),
    # The engineer's outcome letter (calibration/views/letter.py)
    path("reviews/<int:pk>/outcome/", letter.letter, name="letter"),
    path("reviews/<int:pk>/outcome.pdf", letter.letter_pdf, name="letter-pdf"),
    # Appeals of released reviews (calibration/appeal_urls.py)
    path("", include("calibration.appeal_urls")),
]
