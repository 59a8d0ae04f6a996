"""Dense embedders behind one contract, chosen by name in settings."""
