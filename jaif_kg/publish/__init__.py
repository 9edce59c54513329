"""Linked-data publishing: resource descriptions, HTML pages, dumps, VoID/DCAT, ontology docs.

The HTTP routes (:mod:`jaif_kg.api.routes.linked_data`) and the ``jaif-kg build`` command only call
the functions of this package.
"""
