"""Text into units: language, sentences, passages."""
