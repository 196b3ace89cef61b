"""dinogen: character-level language models in NumPy, for names and verse."""

__version__ = "0.1.0"
