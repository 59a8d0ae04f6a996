"""Conversation stores: turns with their citations, keyed by conversation id."""
