"""qa: semantic search and question answering over Indonesian and English news articles."""

__version__ = "0.1.0"
