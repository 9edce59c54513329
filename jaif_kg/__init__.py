"""jaif-kg: the linked-data knowledge graph of Japan's support, through JAIF, for the IAI."""

__version__ = "0.1.0"
