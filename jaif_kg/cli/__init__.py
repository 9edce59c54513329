"""The command line, ``jaif-kg <command>``: parse arguments, call the library, print.

One module per command (:mod:`jaif_kg.cli.validate`, ``query``, ``fmt``, ``serve``, ``load``,
``synth``, ``build``), each with ``add(subparsers)``, which declares its arguments, and
``run(args) -> int``; what they share is in :mod:`jaif_kg.cli.args`. This module assembles the
parser and turns every error into one line. Exit codes: 0 success, 1 the data does not pass
(validate, fmt --check), 2 unusable input (unreadable file, unknown query, bad parameter, bad
arguments or setting), 3 a failure while running (store, timeout, out of memory), 70 a bug (an
error jaif-kg did not expect), 130 interrupted (Ctrl-C), 141 the reader of stdout went away
(``| head``; nothing is printed). Every error is one line on stderr, ``jaif-kg <command>: error:
...`` (exit 2) or ``... failed: ...`` (exit 3), naming the file and line, the option or the setting
at fault; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import NoReturn

from pydantic import ValidationError

from jaif_kg import __version__
from jaif_kg.cli import build, diff, fmt, import_, load, query, serve, synth, validate
from jaif_kg.errors import (
    InputError,
    InputErrors,
    JaifError,
    ParameterError,
    QueryRefused,
    QuerySyntaxError,
    UnknownQuery,
)

#: The commands, in the order ``--help`` lists them.
COMMANDS = (validate, diff, query, fmt, serve, load, import_, synth, build)
#: Errors that mean "fix what you typed or gave me" (exit 2); other errors exit 3.
_INPUT_ERRORS = (InputError, ParameterError, UnknownQuery, QuerySyntaxError, QueryRefused)
#: Exit code of an error jaif-kg did not expect: a bug (EX_SOFTWARE of sysexits.h).
EXIT_INTERNAL = 70
#: Exit code after Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130
#: Exit code when the reader of stdout went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
#: Longest error line printed; a server's answer quoted in a message can be a whole web page.
MESSAGE_WIDTH = 2000


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        """Print ``<prog>: error: <message>`` and a pointer to ``--help``; exit 2."""
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see: {self.prog} --help)\n")


def _one_line(text: str) -> str:
    r"""``text`` on one line, cut at :data:`MESSAGE_WIDTH` characters.

    >>> _one_line("a server said:\n  <html>\r\n</html>")
    'a server said: <html> </html>'
    """
    line = re.sub(r"\s*[\r\n]+\s*", " ", text.strip())
    return line if len(line) <= MESSAGE_WIDTH else line[: MESSAGE_WIDTH - 1] + "…"


def _settings_epilog() -> str:
    """The settings, one per environment variable, from the fields' descriptions."""
    from jaif_kg.settings import settings_table

    lines = ["Settings (environment variables; docs/VALIDATION.md has the table):"]
    for name, default, description in settings_table():
        text = description + (f" Default: {default}." if default else "")
        lines.append(f"  {name}")
        lines.extend(
            textwrap.wrap(
                text,
                80,
                initial_indent="      ",
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per module of :data:`COMMANDS`."""
    parser = _Parser(
        prog="jaif-kg",
        description="The JAIF-IAI knowledge graph: validate, query and format it.",
        epilog=textwrap.fill(
            "Exit codes: 0 ok, 1 the data does not pass, 2 unusable input, 3 failure, 70 a bug "
            "in jaif-kg, 130 interrupted, 141 stdout closed. Errors are one line on stderr.",
            80,
        )
        + "\n\n"
        + _settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jaif-kg {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add(subparsers)
    parser.set_defaults(known_commands=tuple(subparsers.choices))
    return parser


def _setting_error(exc: ValidationError) -> str:
    """A ``JAIF_*`` environment variable pydantic could not read, in one line."""
    first = exc.errors()[0]
    name = "JAIF_" + "_".join(str(part) for part in first["loc"]).upper()
    return f"{name}={first.get('input')!r}: {first['msg']}"


def _stdout_gone() -> None:
    """The reader of stdout went away (``| head``): send what is left to /dev/null, so that the
    interpreter's last flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jaif-kg`` with ``argv`` (default: the process arguments); return the exit code.

    Every error is one line on stderr, with the exit code of the module docs.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        commands = ", ".join(args.known_commands)
        print(f"jaif-kg: error: name a command: {commands} (see: jaif-kg --help)", file=sys.stderr)
        return 2
    prefix = f"jaif-kg {args.command}"
    caught: BaseException | None = None
    try:
        code = func(args)
        sys.stdout.flush()  # here, where a closed pipe is still caught below
        return code
    except _INPUT_ERRORS as exc:
        caught = exc
        code, message = 2, f"error: {exc}"
    except ValidationError as exc:  # a JAIF_* setting of the wrong type
        code, message = 2, f"error: {_setting_error(exc)}"
    except JaifError as exc:
        code, message = 3, f"failed: {exc}"
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "interrupted"
    except MemoryError:
        code, message = 3, "failed: out of memory"
    except Exception as exc:  # the last resort: a bug, but still one line and no traceback
        code = EXIT_INTERNAL
        message = (
            f"error: internal error: {type(exc).__name__}: {exc} (this is a bug in jaif-kg: "
            "please report it with the command that caused it)"
        )
    if isinstance(caught, InputErrors):  # one line per unusable input
        for error in caught.errors:
            print(f"{prefix}: error: {_one_line(str(error))}", file=sys.stderr)
        return code
    print(f"{prefix}: {_one_line(message)}", file=sys.stderr)
    return code
