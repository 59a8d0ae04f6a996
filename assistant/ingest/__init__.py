"""Ingestion: files in the corpus folder → ``Document`` records → ``Passage`` records."""
