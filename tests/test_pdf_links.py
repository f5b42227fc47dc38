"""No PDF carries a file:// link that reveals where the server is installed (issue #10
point 21): the rubric, the outcome letter, the calibration packet and the audit report."""

from __future__ import annotations

import ctypes
import re
import zlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.urls import reverse

from audit.pdf_build import report_pdf_render
from calibration import documents, packet_build
from core.pdf import render_pdf
from tests.calibration.test_documents import release_single, session_with_texts

# A narrative may hold Markdown links of every kind; relative ones are resolved against
# the document's base URL by the renderer, which is where file:// links came from.
LINKS = (
    "See [the design doc](https://docs.example.org/billing), [the runbook](/runbooks/billing), "
    "[the notes](notes/billing.md) and [the summary](#summary)."
)

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _all_text(data: bytes) -> bytes:
    """The PDF's bytes with every compressed stream inflated (links and object streams
    may sit inside them)."""
    parts = [data]
    for stream in _STREAM.findall(data):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _link_targets(data: bytes) -> list[str]:
    """Every link annotation's target: URIs, and file paths of launch/remote actions."""
    targets: list[str] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            position = ctypes.c_int(0)
            link = pdfium_c.FPDF_LINK()
            while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
                action = pdfium_c.FPDFLink_GetAction(link)
                if not action:
                    targets.append("#internal")
                    continue
                kind = pdfium_c.FPDFAction_GetType(action)
                if kind == pdfium_c.PDFACTION_URI:
                    size = pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, None, 0)
                    buffer = ctypes.create_string_buffer(size)
                    pdfium_c.FPDFAction_GetURIPath(pdf.raw, action, buffer, size)
                    targets.append(buffer.value.decode())
                elif kind in (pdfium_c.PDFACTION_REMOTEGOTO, pdfium_c.PDFACTION_LAUNCH):
                    size = pdfium_c.FPDFAction_GetFilePath(action, None, 0)
                    buffer = ctypes.create_string_buffer(size)
                    pdfium_c.FPDFAction_GetFilePath(action, buffer, size)
                    targets.append("file:" + buffer.value.decode())
                else:
                    targets.append("#internal")
    finally:
        pdf.close()
    return targets


def test_no_pdf_links_to_a_file_on_the_server(world, client_for):
    setup = session_with_texts(world, text=LINKS)
    packet = render_pdf("calibration/packet_pdf.html", packet_build.packet_context(setup.session))
    release_single(world, setup, rationale="Above L4 execution: " + LINKS)
    setup.review.refresh_from_db()
    rubric = client_for("engineer").get(reverse("rubrics:pdf", args=[world.ladder.slug, 1]))
    assert rubric.status_code == 200
    pdfs = {
        "rubric": rubric.content,
        "letter": documents.letter_pdf(setup.review),
        "packet": packet,
        "audit": report_pdf_render(user=world.hr.user, cycle=setup.cycle),
    }
    for kind, data in pdfs.items():
        assert not [t for t in _link_targets(data) if t.startswith("file:")], kind
        assert b"file:" not in _all_text(data), kind
    # Web links still work, in the letter and the packet alike.
    assert "https://docs.example.org/billing" in _link_targets(pdfs["letter"])
    assert "https://docs.example.org/billing" in _link_targets(pdfs["packet"])
