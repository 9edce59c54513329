"""The mapping engine: morph-kgc (https://morph-kgc.readthedocs.io/), an RML processor, run in its
own interpreter.

morph-kgc pins ``pyoxigraph<0.4`` and ``rdflib<7.3``, which this package cannot share
(``pyoxigraph>=0.5``), so it lives in a virtual environment of its own (``make install`` makes
``.venv-rml/``) and runs as ``python -m morph_kgc config.ini``. :func:`run_mapping` fills in a
shipped mapping (``mappings/<name>.rml.ttl``: ``${name}`` placeholders become the paths of the
reader's tables), writes the engine's configuration, runs it, and reads the N-Triples it writes
with THE reader of RDF files (:func:`jaif_kg.rdf.files.parse_data`), which also rebases the
mappings' default-base IRIs onto ``base``.

The interpreter is, in order: ``JAIF_RML_PYTHON``; ``.venv-rml/bin/python`` of the checkout; the
running interpreter, if it can import ``morph_kgc``. Without any, :class:`EngineMissing` says how
to install it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from jaif_kg.errors import InputError, JaifError
from jaif_kg.rdf.files import parse_data
from jaif_kg.rdf.formats import input_format_named
from jaif_kg.settings import PROJECT_ROOT

#: The morph-kgc release the mappings are tested with (the Makefile installs it).
ENGINE_REQUIREMENT = "morph-kgc==2.10.0"
#: The environment variable that names the engine's interpreter.
ENGINE_VARIABLE = "JAIF_RML_PYTHON"
#: The checkout's engine environment, made by ``make install``.
CHECKOUT_ENGINE = PROJECT_ROOT / ".venv-rml" / "bin" / "python"

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


class EngineMissing(InputError):
    """No interpreter with morph-kgc was found: the message says how to install one."""


class EngineFailure(JaifError):
    """The engine ran and failed on input the reader had accepted (a bug of a mapping)."""


def install_hint() -> str:
    """How to get the engine, in one sentence.

    >>> "morph-kgc==" in install_hint()
    True
    """
    return (
        f"the mapping engine ({ENGINE_REQUIREMENT}) is not installed: in a checkout run "
        f"`make install`; elsewhere run `python3 -m venv ~/.jaif-rml && ~/.jaif-rml/bin/pip "
        f"install {ENGINE_REQUIREMENT}` and set {ENGINE_VARIABLE}=~/.jaif-rml/bin/python "
        "(morph-kgc needs pyoxigraph<0.4, which cannot share jaif-kg's environment)"
    )


def engine_python(configured: str | None = None) -> str:
    """The interpreter that runs morph-kgc.

    Args:
        configured: an interpreter named by the caller (default: ``$JAIF_RML_PYTHON``).

    Raises:
        EngineMissing: the named interpreter does not exist, or none was found.
    """
    named = configured or os.environ.get(ENGINE_VARIABLE)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise EngineMissing(f"{ENGINE_VARIABLE}={named}: no such file; " + install_hint())
        return str(path)
    if CHECKOUT_ENGINE.is_file():
        return str(CHECKOUT_ENGINE)
    if importlib.util.find_spec("morph_kgc") is not None:
        return sys.executable
    raise EngineMissing(install_hint())


def mapping_text(name: str) -> str:
    """The shipped mapping ``mappings/<name>.rml.ttl``, placeholders unfilled."""
    return (resources.files("jaif_kg.imports") / "mappings" / f"{name}.rml.ttl").read_text(
        encoding="utf-8"
    )


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``${name}`` replaced by ``values[name]``, written for a Turtle
    string (``\\`` and ``"`` escaped).

    >>> fill('rml:source "${a}" ; rml:iterator "$[1][*]"', {"a": 'x"y'})
    'rml:source "x\\\\"y" ; rml:iterator "$[1][*]"'

    Raises:
        KeyError: a placeholder without a value (a bug of the caller).
    """

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)].replace("\\", "\\\\").replace('"', '\\"')

    return _PLACEHOLDER.sub(value, template)


def run_mapping(
    name: str,
    tables: Mapping[str, str],
    workdir: Path,
    *,
    base: str,
    graph: str,
    python: str | None = None,
) -> list[ox.Quad]:
    """Run the shipped mapping ``name`` over the reader's ``tables`` (placeholder -> file or
    value); return its triples as quads of ``graph``.

    Args:
        name: the mapping (``wdi-csv``, ``wdi-json``, ``iati``, ``csv``).
        tables: what the mapping's placeholders stand for.
        workdir: an empty folder for the configuration and the output (the caller removes it).
        base: the deployment's base IRI (the mappings name things under the default one).
        graph: the named graph the triples go to.
        python: the engine's interpreter (default: :func:`engine_python`).

    Raises:
        EngineMissing: no engine.
        EngineFailure: the engine failed (its last line of output is in the message).
    """
    interpreter = python or engine_python()
    workdir.mkdir(parents=True, exist_ok=True)
    mapping = workdir / f"{name}.rml.ttl"
    mapping.write_text(fill(mapping_text(name), tables), encoding="utf-8")
    output = workdir / "output.nt"
    config = workdir / "config.ini"
    # na_values empty: morph-kgc would otherwise drop "NA" (Namibia), "None", "null"... as missing;
    # the readers never write an empty value.
    config.write_text(
        "[CONFIGURATION]\n"
        f"output_file={output}\n"
        "output_format=N-TRIPLES\n"
        "na_values=\n"
        "logging_level=WARNING\n"
        "[Mapping]\n"
        f"mappings={mapping}\n",
        encoding="utf-8",
    )
    try:
        done = subprocess.run(
            [interpreter, "-m", "morph_kgc", str(config)],
            capture_output=True,
            text=True,
            check=False,
            cwd=workdir,
        )
    except OSError as exc:
        raise EngineMissing(f"{interpreter}: {exc.strerror or exc}; " + install_hint()) from None
    if "No module named morph_kgc" in done.stderr:
        raise EngineMissing(f"{interpreter} has no morph_kgc; " + install_hint())
    if done.returncode != 0 or not output.is_file():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit {done.returncode}"
        raise EngineFailure(f"the mapping engine failed on mapping {name!r}: {last}")
    parsed = parse_data(
        output.read_bytes(), output, input_format_named("nt"), base=base, document=graph
    )
    target = ox.NamedNode(graph)
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed.quads]
