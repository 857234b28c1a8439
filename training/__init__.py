"""Training the query adapter: `python training/train.py` (see training/MODEL_CARD.md)."""
