"""``python -m assistant`` runs the command line."""

from .cli.main import cli

cli()
