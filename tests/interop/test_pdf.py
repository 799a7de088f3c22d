"""HTML to PDF: the fetcher serves only the static folder's files and refuses every other URL."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from sijcare.interop import pdf
from sijcare.web.routes.documents_pages import STATIC_DIR

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A test page</title>
{head}</head><body><h1>Getting ready</h1><p>Arrive by 11:30 am.</p>{body}</body></html>"""


@pytest.fixture
def static(tmp_path: Path) -> Path:
    """A static folder with a stylesheet, next to a file that is not in it."""
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "print.css").write_text("h1 { color: #0b4f8a; }")
    (folder / "notes.txt").write_text("not a type a document may link to")
    (tmp_path / "secret.css").write_text("body { color: red; }")
    return folder


def test_fetcher_serves_a_static_file(static: Path) -> None:
    fetcher = pdf.StaticFilesOnly(static)
    response = fetcher((static / "print.css").as_uri())
    try:
        assert response.read() == b"h1 { color: #0b4f8a; }"
        assert response.content_type == "text/css"
    finally:
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://example.org/print.css", id="http"),
        pytest.param("https://example.org/print.css", id="https"),
        pytest.param("ftp://example.org/print.css", id="ftp"),
        pytest.param("data:text/css,h1{color:red}", id="data"),
        pytest.param("file:///etc/passwd", id="file-elsewhere"),
        pytest.param("file://example.org/static/print.css", id="file-on-a-host"),
    ],
)
def test_fetcher_refuses_anything_but_the_static_files(static: Path, url: str) -> None:
    with pytest.raises(pdf.ResourceRefused):
        pdf.StaticFilesOnly(static)(url)


def test_fetcher_refuses_a_path_that_climbs_out_of_the_folder(static: Path) -> None:
    with pytest.raises(pdf.ResourceRefused):
        pdf.StaticFilesOnly(static)(static.as_uri() + "/../secret.css")


def test_fetcher_refuses_a_file_type_documents_do_not_link_to(static: Path) -> None:
    with pytest.raises(pdf.ResourceRefused, match="file type"):
        pdf.StaticFilesOnly(static)((static / "notes.txt").as_uri())


def test_fetcher_refuses_a_missing_file(static: Path) -> None:
    with pytest.raises(pdf.ResourceRefused):
        pdf.StaticFilesOnly(static)((static / "missing.css").as_uri())


def test_a_page_with_the_package_stylesheet_becomes_a_pdf() -> None:
    html = PAGE.format(head='<link rel="stylesheet" href="print.css">', body="")
    document = pdf.html_to_pdf(html, static_dir=STATIC_DIR)
    reader = pypdf.PdfReader(io.BytesIO(document))
    assert document.startswith(b"%PDF-")
    assert "Arrive by 11:30 am." in reader.pages[0].extract_text()
    assert reader.metadata is not None and reader.metadata["/Title"] == "A test page"


@pytest.mark.parametrize(
    ("head", "body"),
    [
        pytest.param('<link rel="stylesheet" href="https://example.org/x.css">', "", id="https"),
        pytest.param("", '<img src="http://example.org/x.png" alt="">', id="http-image"),
        pytest.param("", '<img src="file:///etc/hostname" alt="">', id="file-elsewhere"),
        pytest.param('<link rel="stylesheet" href="../templates/base.html">', "", id="climb"),
        pytest.param("<style>@import url('https://example.org/x.css');</style>", "", id="import"),
    ],
)
def test_a_page_that_links_outside_the_package_is_refused(head: str, body: str) -> None:
    with pytest.raises(pdf.ResourceRefused):
        pdf.html_to_pdf(PAGE.format(head=head, body=body), static_dir=STATIC_DIR)
