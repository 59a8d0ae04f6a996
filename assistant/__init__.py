"""A conversational retrieval assistant for Korean and Chinese documents, with cited answers."""

__version__ = "0.1.0"
