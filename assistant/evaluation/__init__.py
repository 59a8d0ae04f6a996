"""Offline evaluation: public SQuAD-style benchmarks and the project's own evaluation sets."""
