"""Reading feeds: a local file or an http(s) URL, within a size cap and timeouts; XML safely.

A partner feed is untrusted input. Downloads stream to a temporary file and stop at a size cap
(a 500 MB Indeed feed fits, an endless stream does not); XML is parsed by lxml without DTDs,
entities or network, and a document that declares entities is refused before parsing. Pages
found through a partner's site (career pages, sitemaps) are fetched with `site=` its configured
URL: a redirect is followed only within that site, never to an address of ours or a third
party's (a page answering "302 Location: http://127.0.0.1:5432/" is not followed).
"""
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import requests

from app.ingest import FeedError

TIMEOUT = (10, 60)  # seconds to connect, seconds between two bytes received
MAX_FEED_BYTES = 2 * 1024**3
MAX_PAGE_BYTES = 5 * 1024**2  # one career page or one sitemap
USER_AGENT = "Jobtab feed reader (public job and training tab)"
CHUNK = 1024**2
MAX_REDIRECTS = 5

# lxml options for every partner document: no DTD, no entity expansion, no network, no giant nodes.
SAFE_XML = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
_PROLOG_BYTES = 1024**2
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def same_site(url: str, site: str) -> bool:
    """Whether `url` is on the host of `site` (a partner's configured URL) or a subdomain of it."""
    host, site_host = urlsplit(url).hostname or "", urlsplit(site).hostname or ""
    return bool(site_host) and (host == site_host or host.endswith("." + site_host))


def http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


@contextmanager
def open_feed(location: str, http: requests.Session, max_bytes: int = MAX_FEED_BYTES) -> Iterator[BinaryIO]:
    """The feed as a seekable binary file, downloaded first when it is a URL."""
    if not is_url(location):
        try:
            with Path(location).open("rb") as file:
                yield file
        except OSError as error:
            raise FeedError(f"cannot read {location}: {error.strerror or error}") from error
        return
    with tempfile.TemporaryFile() as file:
        download(location, http, file, max_bytes)
        file.seek(0)
        yield file


def fetch_bytes(url: str, http: requests.Session, max_bytes: int = MAX_PAGE_BYTES, site: str | None = None) -> bytes:
    """A small document (a career page, a sitemap) in memory; `site` as for `download`."""
    with tempfile.SpooledTemporaryFile(max_size=max_bytes) as file:
        download(url, http, file, max_bytes, site)
        file.seek(0)
        return file.read()


def download(url: str, http: requests.Session, file: BinaryIO, max_bytes: int, site: str | None = None) -> None:
    """Stream `url` into `file`. With `site` (the partner's configured URL), redirects are
    followed by hand, at most MAX_REDIRECTS, and only to http(s) URLs of that site (see
    `same_site`); a redirect elsewhere is a FeedError and the target is never requested."""
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            with http.get(current, stream=True, timeout=TIMEOUT, allow_redirects=site is None) as response:
                if site is not None and response.is_redirect:
                    target = urljoin(current, response.headers["location"])
                    if not (is_url(target) and same_site(target, site)):
                        raise FeedError(f"{url} redirects to {target}, off the partner's site: not followed")
                    current = target
                    continue
                if response.status_code != 200:
                    raise FeedError(f"{url} answered HTTP {response.status_code}")
                received = 0
                for chunk in response.iter_content(CHUNK):
                    received += len(chunk)
                    if received > max_bytes:
                        raise FeedError(f"{url} is larger than {max_bytes:,} bytes: download stopped")
                    file.write(chunk)
                return
        raise FeedError(f"{url}: more than {MAX_REDIRECTS} redirects")
    except requests.RequestException as error:
        raise FeedError(f"{url} could not be downloaded: {error}") from error


def refuse_entity_declarations(file: BinaryIO) -> None:
    """Entities are never expanded anyway; a feed that declares them is hostile or broken, and
    is refused whole rather than parsed around (billion laughs, file:///etc/passwd)."""
    prolog = file.read(_PROLOG_BYTES)
    file.seek(0)
    first_element = _FIRST_ELEMENT.search(prolog)
    head = prolog[: first_element.start()] if first_element else prolog
    if b"<!ENTITY" in head or (first_element is None and b"<!DOCTYPE" in head):
        raise FeedError("the document declares XML entities: refused")
