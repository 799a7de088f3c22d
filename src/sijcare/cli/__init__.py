"""The `sijcare` command: a thin layer that parses arguments and calls the core.

Bad input never ends in a traceback: an `InputError` prints one line naming the file and
field or line, and the command exits with status 2. Any other failure exits with status 1
and one line without the error's message (`common.failure`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sijcare import __version__
from sijcare.cli import (
    app,
    backup,
    consent,
    csvio,
    diary,
    escalation,
    fhir,
    instructions,
    outcomes,
    plan,
    screen,
    synth,
    triage,
    worker,
)
from sijcare.cli.common import Context, run_guarded


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sijcare")
@click.option(
    "--clinic-config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SIJCARE_CLINIC_CONFIG",
    help="The clinic's TOML file of overrides (help line, thresholds, ...).",
)
@click.pass_context
def cli(ctx: click.Context, clinic_config: Path | None) -> None:
    """The SI joint injection pathway: screening, diary, triage and next steps."""
    ctx.obj = Context(clinic_config=clinic_config)


cli.add_command(diary.diary)
cli.add_command(screen.screen)
cli.add_command(triage.triage)
cli.add_command(plan.plan)
cli.add_command(consent.consent)
cli.add_command(instructions.instructions)
cli.add_command(app.serve)
cli.add_command(app.db)
cli.add_command(app.demo)
cli.add_command(fhir.fhir)
cli.add_command(worker.worker)
cli.add_command(csvio.csv_group)
cli.add_command(escalation.escalation)
cli.add_command(synth.synth)
cli.add_command(outcomes.outcomes_command)
cli.add_command(outcomes.reinterpret_command)
cli.add_command(backup.backup_command)
cli.add_command(backup.restore_command)


def _same_help_option(command: click.Command) -> None:
    # Click caches a command's help option the first time it is built; a subcommand run
    # on its own (as tests do) would otherwise answer only to --help.
    command.context_settings.setdefault("help_option_names", ["-h", "--help"])
    for sub in getattr(command, "commands", {}).values():
        _same_help_option(sub)


_same_help_option(cli)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `sijcare` script."""
    run_guarded(cli, argv if argv is not None else sys.argv[1:])


__all__ = ["cli", "main"]
