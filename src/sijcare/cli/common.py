"""What every command shares: loading the knowledge once, reading files, reporting errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from sijcare import knowledge
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.jsonout import dumps
from sijcare.settings import Settings

EXIT_INPUT_ERROR = 2

json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@dataclass
class Context:
    clinic_config: Path | None
    _knowledge: Knowledge | None = field(default=None, repr=False)

    @property
    def knowledge(self) -> Knowledge:
        if self._knowledge is None:
            self._knowledge = knowledge.load(self.clinic_config)
        return self._knowledge


def clinic_knowledge(settings: Settings) -> Knowledge:
    """The clinic's knowledge: the command line's --clinic-config, else the settings'."""
    context = click.get_current_context().find_object(Context)
    if context is not None and context.clinic_config is not None:
        return context.knowledge
    return knowledge.load(settings.clinic_config)


def read_text(path: Path) -> str:
    """The text of `path`, or an `InputError` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror})") from None


def emit(result: Any, *, as_json: bool, report: str) -> None:
    """Print `result` as JSON, or the readable `report`."""
    click.echo(dumps(result) if as_json else report)


def run_guarded(command: click.Command, argv: list[str]) -> None:
    """Run `command`; an `InputError` prints one clear line and exits with status 2."""
    try:
        command.main(args=argv, prog_name="sijcare", standalone_mode=False)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_INPUT_ERROR) from None
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None


pass_context = click.make_pass_decorator(Context)
