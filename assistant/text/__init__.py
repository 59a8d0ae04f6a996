"""Text analysis: tokenizers for the keyword index and sentence splitting."""
