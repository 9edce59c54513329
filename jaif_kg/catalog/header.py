"""The ``#+`` YAML header of a named query file (see :mod:`jaif_kg.catalog`), and its validation.

``summary`` is required; each parameter needs a ``type`` (:data:`PARAMETER_TYPES`) and a
``description``; a parameter is optional unless it says ``required: true``; its ``default`` and
``enum`` values must convert (:meth:`Parameter.convert`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jaif_kg.catalog.parameters import PARAMETER_TYPES, Parameter
from jaif_kg.errors import InputError, ParameterError
from jaif_kg.rdf.namespaces import DEFAULT_BASE

_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER_KEYS = {"summary", "description", "tags", "parameters", "example"}
_PARAMETER_KEYS = {"type", "description", "required", "default", "enum"}


@dataclass(frozen=True)
class Header:
    """What a header declares.

    Attributes:
        summary: one line saying what the query answers.
        description: more, if given (else empty).
        tags: labels to group queries by.
        parameters: the declared parameters, in header order.
        example: parameter values that show the query at work (as text).
    """

    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    example: dict[str, str]


def _plain(value: Any) -> str:
    """A YAML scalar as the text a user would have typed (``true``, ``2022-06-30``, ``3``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _split_header(text: str, path: Path) -> tuple[str, str]:
    """The header (``#+`` taken off, dedented) and the query (see :func:`read_header`).

    Raises:
        InputError: a ``#+`` line after the query has begun.
    """
    header: list[str] = []
    body: list[str] = []
    in_body = False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            if in_body:
                raise InputError(
                    "'#+' header lines must come before the query", path=str(path), line=number
                )
            header.append(stripped[2:] + "\n")
            body.append("\n")
        else:
            if stripped and not stripped.startswith("#"):
                in_body = True
            body.append(line)
    indents = [len(x) - len(x.lstrip(" ")) for x in header if x.strip()]
    cut = min(indents) if indents else 0
    return "".join(x[cut:] for x in header), "".join(body)


def _fail(path: Path, message: str) -> InputError:
    return InputError(message, path=str(path))


def parse_parameter(name: Any, spec: Any, path: Path, base: str = DEFAULT_BASE) -> Parameter:
    """A parameter from its header entry (``name: {type: ..., description: ...}``).

    >>> parse_parameter("n", {"type": "integer", "description": "N", "default": 3}, Path("q.rq"))
    Parameter(name='n', type='integer', description='N', required=False, default='3', enum=None, base='https://w3id.org/jaif-kg/')

    Raises:
        InputError: naming the file: a name that is not a variable name, unknown keys, a
            missing type or description, a required parameter with a default, or a default or
            enum value that does not convert.
    """
    if not isinstance(name, str) or not _VARNAME.fullmatch(name):
        raise _fail(path, f"parameter name {name!r} is not a SPARQL variable name")
    if not isinstance(spec, dict):
        raise _fail(path, f"parameter {name!r}: expected a mapping such as {{type: iri}}")
    unknown = set(spec) - _PARAMETER_KEYS
    if unknown:
        raise _fail(
            path,
            f"parameter {name!r}: unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(_PARAMETER_KEYS)}",
        )
    ptype = spec.get("type")
    if ptype not in PARAMETER_TYPES:
        raise _fail(
            path, f"parameter {name!r}: type {ptype!r} is not one of {', '.join(PARAMETER_TYPES)}"
        )
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail(path, f"parameter {name!r}: needs a description")
    required = spec.get("required", False)
    if not isinstance(required, bool):
        raise _fail(path, f"parameter {name!r}: required must be true or false")
    default = _plain(spec["default"]) if spec.get("default") is not None else None
    if required and default is not None:
        raise _fail(path, f"parameter {name!r}: a required parameter cannot have a default")
    enum = spec.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or not enum:
            raise _fail(path, f"parameter {name!r}: enum must be a non-empty list")
        enum = tuple(_plain(v) for v in enum)
    parameter = Parameter(name, ptype, description.strip(), required, default, enum, base)
    for value in (*(enum or ()), *((default,) if default is not None else ())):
        try:
            parameter.convert(value)
        except ParameterError as exc:
            raise _fail(path, f"header: {exc}") from None
    return parameter


def read_header(text: str, path: Path, base: str = DEFAULT_BASE) -> tuple[Header, str]:
    """The header of a query file's text, validated, and the query (a blank line for each
    header line, so that its line numbers are the file's).

    >>> header, query = read_header("#+ summary: Everything\\nASK {}", Path("q.rq"))
    >>> header.summary, header.parameters, query
    ('Everything', (), '\\nASK {}')

    Raises:
        InputError: naming the file: no header, invalid YAML, unknown keys, no summary, or a
            bad parameter (:func:`parse_parameter`) or example.
    """
    header_text, body = _split_header(text, path)
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except yaml.YAMLError as exc:
        raise _fail(path, f"the '#+' header is not valid YAML: {exc}") from None
    if not isinstance(header, dict):
        raise _fail(path, "needs a '#+' YAML header with at least a summary")
    unknown = set(header) - _HEADER_KEYS
    if unknown:
        raise _fail(path, f"unknown header keys {sorted(unknown)}; allowed: {sorted(_HEADER_KEYS)}")
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise _fail(path, "the header needs a summary")
    description = header.get("description") or ""
    tags = header.get("tags") or []
    if not isinstance(description, str) or not isinstance(tags, list):
        raise _fail(path, "description must be text and tags a list")
    specs = header.get("parameters") or {}
    if not isinstance(specs, dict):
        raise _fail(path, "parameters must be a mapping of name to {type: ..., ...}")
    parameters = tuple(parse_parameter(n, s, path, base) for n, s in specs.items())
    example = header.get("example") or {}
    if not isinstance(example, dict):
        raise _fail(path, "example must be a mapping of parameter name to value")
    return (
        Header(
            summary=summary.strip(),
            description=description.strip(),
            tags=tuple(str(t) for t in tags),
            parameters=parameters,
            example={str(k): _plain(v) for k, v in example.items()},
        ),
        body,
    )
