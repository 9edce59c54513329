"""What the commands share: argument types that refuse a bad value with a message saying what is
wanted, the store options, the settings every command starts from, and printing."""

from __future__ import annotations

import argparse
import math
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jaif_kg.errors import InputError
from jaif_kg.settings import Settings, get_settings

#: The type of ``parser.add_subparsers()``'s result, for the commands' ``add`` functions.
Subparsers = Any


def not_utf8(value: str) -> str | None:
    r"""How ``value`` was typed, if it holds bytes that are not UTF-8; else ``None``.

    Such bytes reach Python as lone surrogates (PEP 383), which no query, URL or IRI can carry.

    >>> not_utf8("KHM") is None
    True
    >>> not_utf8("country=\udcff\udcfe")
    "b'country=\\xff\\xfe'"
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return repr(value.encode("utf-8", "surrogateescape"))
        except UnicodeEncodeError:
            return ascii(value)
    return None


def utf8_text(value: str) -> str:
    """An argument that is text (a name, a value, a URL), not a file name: it must be UTF-8.

    File names keep type ``Path``: Linux allows any bytes in them.
    """
    raw = not_utf8(value)
    if raw is not None:
        raise argparse.ArgumentTypeError(f"{raw} is not UTF-8 text")
    return value


def key_file(key: str) -> Callable[[str], tuple[str, Path]]:
    """An argument type for ``KEY=FILE`` (split at the last ``=``: an IRI or URL may hold one),
    where the key is an absolute IRI or URL: ``--context URL=FILE``, ``--graph IRI=FILE``,
    ``--graph-shapes IRI=SHAPES``.

    >>> key_file("IRI")("https://example.org/g?v=1=extra.ttl")
    ('https://example.org/g?v=1', PosixPath('extra.ttl'))
    >>> key_file("IRI")("g=extra.ttl")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'g=extra.ttl': 'g' is not an absolute IRI
    """

    def parse(value: str) -> tuple[str, Path]:
        name, sep, file = value.rpartition("=")
        if not sep or not name or not file:
            raise argparse.ArgumentTypeError(f"{value!r} is not {key}=FILE")
        if ":" not in name:
            raise argparse.ArgumentTypeError(f"{value!r}: {name!r} is not an absolute {key}")
        return name, Path(file)

    return parse


def whole(what: str, minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argument type for a whole number from ``minimum`` to ``maximum``; ``what`` names it.

    >>> whole("a TCP port", 1, 65535)("8000")
    8000
    """
    bounds = f"{minimum} to {maximum}" if maximum is not None else f"{minimum} or more"

    def whole(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < minimum or (maximum is not None and number > maximum):
            raise argparse.ArgumentTypeError(f"{number} is not {what} ({bounds})")
        return number

    return whole


def seconds(value: str) -> float:
    """A time limit: a finite number of seconds above 0 (0 would stop every query at once).

    >>> seconds("2.5")
    2.5
    """
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value} is not a time limit (seconds, more than 0)")
    return number


def url_problem(value: str) -> str | None:
    """What makes ``value`` unusable as the http(s) URL of a server, or ``None``.

    >>> url_problem("http://127.0.0.1:7878/query") is None
    True
    >>> url_problem("http://exa mple/")
    'a space or control character in it'
    >>> url_problem("http://127.0.0.1:99999/")
    'a port out of range'
    """
    if not_utf8(value) is not None:
        return "bytes that are not UTF-8 in it"
    if any(c <= " " or c == "\x7f" for c in value):
        return "a space or control character in it"
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return "not http:// or https://"
    if not parts.hostname:
        return "no host name"
    try:
        parts.port  # noqa: B018  # reading it checks it
    except ValueError:
        return "a port out of range"
    return None


def check_url(value: str, option: str) -> None:
    """Raise :class:`InputError` unless ``value`` is an http(s) URL a request can go to."""
    problem = url_problem(value)
    if problem is not None:
        raise InputError(
            f"{option} wants the http(s) URL of a SPARQL server: {value!r} ({problem})"
        )


def check_store_setting(settings: Settings) -> None:
    """A ``--store``/``JAIF_STORE`` that looks like a URL must be one."""
    if settings.store.startswith(("http:", "https:")):
        check_url(settings.store, "--store (JAIF_STORE)")


def load_settings() -> Settings:
    """The settings, with the base IRI checked: every file is read under it."""
    import pyoxigraph as ox

    settings = get_settings()
    try:
        ox.NamedNode(settings.base_iri)
    except ValueError as exc:
        raise InputError(
            f"JAIF_BASE_IRI={settings.base_iri!r} is not an absolute IRI: {exc}"
        ) from None
    return settings


def say(text: str) -> None:
    """Print ``text`` on stdout, with one newline at the end (none after nothing)."""
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")


def add_write_options(p: argparse.ArgumentParser, *, for_store: bool = False) -> None:
    """``--update-url``, ``--graph-store-url``, ``--user``, ``--password``: how a command writes
    to a SPARQL server (``load``; ``import --store URL`` with ``for_store``)."""
    where = "--store URL: the server's " if for_store else ""
    p.add_argument(
        "--update-url",
        type=utf8_text,
        metavar="URL",
        help=f"{where}SPARQL Update URL (JAIF_UPDATE_URL; default: the query URL), e.g. "
        "http://127.0.0.1:7878/update",
    )
    p.add_argument(
        "--graph-store-url",
        type=utf8_text,
        metavar="URL",
        help=f"{where}Graph Store Protocol URL (JAIF_GRAPH_STORE_URL), e.g. "
        "http://127.0.0.1:7878/store; a graph then goes by one PUT",
    )
    p.add_argument(
        "--user",
        type=utf8_text,
        metavar="USER",
        help="user name, sent as the server asks: HTTP Digest or Basic (JAIF_REMOTE_USER)",
    )
    p.add_argument(
        "--password",
        type=utf8_text,
        metavar="PASSWORD",
        help="its password; prefer JAIF_REMOTE_PASSWORD (a command line is visible to others)",
    )


def write_updates(args: argparse.Namespace) -> dict[str, Any]:
    """The settings :func:`add_write_options` overrides (only those given)."""
    given = {
        "update_url": args.update_url,
        "graph_store_url": args.graph_store_url,
        "remote_user": args.user,
        "remote_password": args.password,
    }
    return {key: value for key, value in given.items() if value is not None}


def check_write_urls(settings: Settings) -> None:
    """Refuse a malformed update or Graph Store URL, naming the option and the setting."""
    if settings.update_url is not None:
        check_url(settings.update_url, "--update-url (JAIF_UPDATE_URL)")
    if settings.graph_store_url is not None:
        check_url(settings.graph_store_url, "--graph-store-url (JAIF_GRAPH_STORE_URL)")


def add_store_options(p: argparse.ArgumentParser) -> None:
    """``--store`` and ``--store-path``, for the commands that open the store."""
    p.add_argument(
        "--store",
        type=utf8_text,
        metavar="KIND|URL",
        help="oxigraph (embedded, default), rdflib (pure Python), or the query URL of a SPARQL "
        "server that already holds the graph (see `jaif-kg load`) (JAIF_STORE)",
    )
    p.add_argument(
        "--store-path",
        type=Path,
        metavar="DIR",
        help="keep the embedded Oxigraph store on disk in DIR: a restart reloads only when the "
        "files changed (JAIF_STORE_PATH)",
    )


def store_updates(args: argparse.Namespace) -> dict[str, Any]:
    """Settings changed by ``--store``/``--store-path``."""
    updates: dict[str, Any] = {}
    if args.store is not None:
        updates["store"] = args.store
    if args.store_path is not None:
        updates["store_path"] = args.store_path
    return updates
