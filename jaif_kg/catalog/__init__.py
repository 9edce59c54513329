"""Named queries: ``queries/<kebab-name>.rq``, each with a grlc-style ``#+`` YAML header.

A header (the ``#+`` lines before the query)::

    #+ summary: JAIF projects, filterable by beneficiary country
    #+ description: Longer text.
    #+ tags: [projects]
    #+ parameters:
    #+   country: {type: iri, description: "Beneficiary country", required: false}
    #+   as_of: {type: date, default: today, description: "Date of the facts"}
    #+   stream: {type: string, enum: [junior-diplomats, aec-ascc]}
    #+ example: {country: "https://w3id.org/jaif-kg/id/country/KHM"}

The layers, each below the next:

* :mod:`~jaif_kg.catalog.parameters`: the parameter types and the conversion of a value given as
  text to the RDF term it stands for (``default: today`` is the current date).
* :mod:`~jaif_kg.catalog.header`: the ``#+`` header and its validation.
* :mod:`~jaif_kg.catalog.binding`: :class:`NamedQuery` and the binding of values by one inline
  ``VALUES`` block (never user text pasted as is).
* :mod:`~jaif_kg.catalog.running`: reading a folder into a :class:`Catalog`, and
  :func:`run_named`.

Base IRI: the files name things under the default base; read under another base
(``settings.base_iri``), a file's text (header and query) has every occurrence of the default base
rewritten under it before it is parsed, and ``prefix:local`` parameter values expand under it.
"""

from __future__ import annotations

from jaif_kg.catalog.binding import NamedQuery, sparql_term
from jaif_kg.catalog.parameters import Parameter
from jaif_kg.catalog.running import Catalog, load_query, run_named

__all__ = ["Catalog", "NamedQuery", "Parameter", "load_query", "run_named", "sparql_term"]
