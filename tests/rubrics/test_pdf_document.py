"""The rubric PDF as a reader sees it: opened, rendered to an image, read page by page."""

from __future__ import annotations

import pypdfium2 as pdfium


def fetch_pdf(client, slug: str = "engineering-ic", number: int = 1) -> bytes:
    r = client.get(f"/rubrics/{slug}/v{number}/rubric.pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    return r.content


def test_the_rubric_pdf_opens_with_a_title_page_and_a_section_per_level(world, client_for):
    pdf = pdfium.PdfDocument(fetch_pdf(client_for("engineer")))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert "Engineering IC" in pages[0] and "version 1" in pages[0].lower()
    for code in ("L3", "L4", "L5"):
        section = next((p for p in pages if f"{code} · Level {code}" in p), None)
        assert section is not None, f"no page for {code}"
        assert f"At {code}, execution looks like this." in section
    assert f"Page 2 of {len(pdf)}" in pages[1]  # the title page carries no number


def test_a_page_renders_to_a_non_blank_a4_image(world, client_for):
    pdf = pdfium.PdfDocument(fetch_pdf(client_for("engineer")))
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    image = pdf[len(pdf) - 1].render(scale=0.5).to_pil().convert("L")
    darkest, lightest = image.getextrema()
    assert lightest > 200 and darkest < 100  # white paper with dark text on it


def test_a_draft_pdf_says_it_is_a_draft(world, client_for):
    pdf = pdfium.PdfDocument(fetch_pdf(client_for("hr"), number=2))
    assert "draft" in pdf[0].get_textpage().get_text_range().lower()
