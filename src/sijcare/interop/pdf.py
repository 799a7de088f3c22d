"""Printable documents: an HTML page to PDF bytes with WeasyPrint, and nothing from the network.

The pages are the app's own templates, rendered by the caller. WeasyPrint fetches what a
page links to (its stylesheet, an image) through `StaticFilesOnly`: only `file:` URLs of
files inside one folder (the package's static files) with a known type are served;
every other address (http, https, data, ftp, a file elsewhere, a path that climbs out
of the folder) is refused, and a refusal stops the rendering (`ResourceRefused`), so a
document never silently goes out without its stylesheet or with something fetched
from elsewhere. Fonts come from the system's font configuration (Pango/fontconfig), not
from URLs.

Pure apart from the library: no database, no clock (the creation time comes from the
page's `<meta name="dcterms.created">`), no settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

# WeasyPrint ships no type information.
from weasyprint import HTML  # type: ignore[import-untyped]
from weasyprint.urls import (  # type: ignore[import-untyped]
    FatalURLFetchingError,
    URLFetcher,
    URLFetcherResponse,
)

# The file types a page may link to, by suffix (stylesheets, images, fonts).
MEDIA_TYPES = {
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}


class ResourceRefused(ValueError):
    """A page linked to something other than a static file of the package."""


class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
    """Serves the files under `root` (as `file:` URLs) and refuses every other URL."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        path = self.path_of(url)
        return URLFetcherResponse(
            path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": MEDIA_TYPES[path.suffix]},
        )

    def path_of(self, url: str) -> Path:
        """The file `url` names inside `root`; `ResourceRefused` for anything else."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"only the package's static files are served, not {url!r}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ResourceRefused(f"not a static file of the package: {url!r}")
        if path.suffix not in MEDIA_TYPES:
            raise ResourceRefused(f"not a file type a document may link to: {url!r}")
        return path


def html_to_pdf(html: str, *, static_dir: Path) -> bytes:
    """The PDF of `html`; relative links resolve against `static_dir`, the only source served.

    Raises `ResourceRefused` when the page links to anything else.
    """
    fetcher = StaticFilesOnly(static_dir)
    document = HTML(string=html, base_url=static_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
    try:
        pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as exc:
        # WeasyPrint's fatal error is a BaseException: turn it into an ordinary one.
        cause = exc.__cause__
        raise ResourceRefused(str(cause or exc)) from cause
    assert isinstance(pdf, bytes)
    return pdf
