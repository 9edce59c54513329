"""SPARQL text: THE lexer, THE term escaper, the protocol (requests, negotiation, the service
description), the structural SERVICE check and result shaping."""
