"""What every command shares: the app context, time parameters, JSON output."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import click
import orjson
from sqlalchemy.engine import Engine

from tracker.errors import InputError
from tracker.eventlog.store import EventStore
from tracker.timeutil import parse_instant


@dataclass
class App:
    """The state the command group hands to every command (``click.pass_obj``)."""

    db_url: str | None = None
    debug: bool = False
    quiet: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """Open the database on first use, upgrading a brand-new one."""
        if self._engine is None:
            from tracker import db

            self._engine = db.open_database(self.db_url)
        return self._engine

    @property
    def store(self) -> EventStore:
        return EventStore(self.engine)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


pass_app = click.make_pass_decorator(App)


class InstantType(click.ParamType):
    """A click parameter for an instant: ISO 8601 with Z or an offset, or a date."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


INSTANT = InstantType()


def json_option(func: Any) -> Any:
    """Add ``--json`` to a command that prints something."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(func)


def dump_json(value: Any) -> str:
    """Return stable, indented JSON text (sorted keys) for a value."""
    return orjson.dumps(
        value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    ).decode()


def echo_json(value: Any) -> None:
    """Print a JSON document."""
    click.echo(dump_json(value))


def echo_json_lines(values: Iterable[Any]) -> None:
    """Print one compact JSON document per line (JSON Lines)."""
    out = sys.stdout
    for value in values:
        out.write(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() + "\n")
    out.flush()
