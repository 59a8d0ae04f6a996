"""Composing answers: prompts, the extractive composer, citations, follow-up questions."""
