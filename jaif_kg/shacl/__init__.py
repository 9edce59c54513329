"""SHACL validation: the report model, the pySHACL engine and the fast engine (shapes compiled
to SPARQL on Oxigraph)."""
