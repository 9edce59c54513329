"""RDF files and terms: namespaces (once), term conversion, formats, THE file reader, the canonical
Turtle writer and canonicaliser, rebasing under another base IRI."""
