"""Logical constraint components: ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``
(https://www.w3.org/TR/shacl/#core-components-logical).

Each tests the conformance of the value node to the listed shapes with their conditions
(:meth:`~jaif_kg.shacl.fast.context.Context.conforms`), inside the same query.
"""

from __future__ import annotations

from typing import cast

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Identifier, Node

from jaif_kg.shacl.fast.context import Context, Fails, Stack


def not_fails(c: Context, shape: Node, v: str, stack: Stack = ()) -> str:
    """``v`` conforms to ``shape`` (4.6.1)."""
    return c.conforms(cast(Identifier, shape), v, stack)


def and_fails(c: Context, shapes: Node, v: str, stack: Stack = ()) -> str:
    """``v`` does not conform to every shape of the list ``shapes`` (4.6.2)."""
    each = [c.conforms(cast(Identifier, s), v, stack) for s in c.members(shapes)]
    return f"!({' && '.join(each) or 'true'})"


def or_fails(c: Context, shapes: Node, v: str, stack: Stack = ()) -> str:
    """``v`` conforms to none of the shapes of the list ``shapes`` (4.6.3)."""
    each = [c.conforms(cast(Identifier, s), v, stack) for s in c.members(shapes)]
    return f"!({' || '.join(each) or 'false'})"


def xone_fails(c: Context, shapes: Node, v: str, stack: Stack = ()) -> str:
    """``v`` does not conform to exactly one shape of the list ``shapes`` (4.6.4)."""
    each = [f"IF({c.conforms(cast(Identifier, s), v, stack)}, 1, 0)" for s in c.members(shapes)]
    return f"(({' + '.join(each) or '0'}) != 1)"


FAILS: dict[URIRef, Fails] = {
    SH["not"]: not_fails,
    SH["and"]: and_fails,
    SH["or"]: or_fails,
    SH.xone: xone_fails,
}
