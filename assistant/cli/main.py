"""``assistant``: build and search the index, ask and chat, and evaluate, from the command line.

Every command is a thin shell over the library; errors from the error tree are printed as one clear
line (exit status 2), never as a traceback.
"""

from __future__ import annotations

import logging

import click

from .. import __version__
from .answer_commands import ask, chat
from .common import stderr_console
from .config_command import config
from .eval_commands import eval_group
from .eval_run_command import run as eval_run
from .index_commands import index_group, search
from .keys_commands import keys_group
from .serve_command import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="assistant")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def cli(verbose: int, quiet: bool) -> None:
    """A retrieval assistant for Korean and Chinese documents, with cited answers.

    Settings come from ASSISTANT_* environment variables (nested with __, for example
    ASSISTANT_RETRIEVAL__TOP_K=8); options given here take precedence.

    \b
    Quick start:
      assistant index build                  # read corpus/ into index/
      assistant search "가상융합산업 기본계획"   # ranked passages with sources
      assistant ask "가상융합산업 진흥 기본계획 담당 부서 전화번호는?"  # a cited answer
      assistant chat                         # a conversation, streamed
    """
    from rich.logging import RichHandler

    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    logging.basicConfig(
        level=level, format="%(message)s", datefmt="[%X]", force=True,
        handlers=[RichHandler(show_path=verbose > 1, console=stderr_console(), markup=False)],
    )  # fmt: skip
    for noisy in ("jieba", "faiss", "sentence_transformers", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


cli.add_command(index_group)
cli.add_command(search)
cli.add_command(serve)
cli.add_command(ask)
cli.add_command(chat)
eval_group.add_command(eval_run)
cli.add_command(eval_group)
cli.add_command(keys_group)
cli.add_command(config)
