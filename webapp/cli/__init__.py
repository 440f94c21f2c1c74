"""The Flask commands (docs/api.md, Command line): `flask --app webapp <command>`.

One module per group of commands, each a module-level click command or `AppGroup`:
`accounts` (agencies, users, passwords, tokens), `calendar`, `reports` (annex two, snapshots), `demo`.
The commands for what the workers do (`sweep`, `notices …`, `mailbox …`) live in `workers/cli.py`: the
workers' side declares them under the `webapp.commands` entry point (pyproject.toml) and they are added
here, so the web application never imports the workers.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from flask import Flask

from webapp.cli import accounts, calendar, demo, reports

PLUGINS = "webapp.commands"  # the entry point group of commands declared by other packages

log = logging.getLogger(__name__)


def register_cli(app: Flask) -> None:
    for command in (*accounts.COMMANDS, calendar.calendar_group, reports.report_group, demo.demo_data):
        app.cli.add_command(command)
    plugins = entry_points(group=PLUGINS)
    if not plugins:
        log.warning(
            "no %s entry points: reinstall the package (pip install -e .) for the workers' commands", PLUGINS
        )
    for plugin in plugins:
        app.cli.add_command(plugin.load(), plugin.name)
