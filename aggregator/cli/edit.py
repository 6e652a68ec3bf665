"""``tradecal edit``: editors' overrides from the command line (see :mod:`aggregator.store.overrides`).

::

    tradecal edit UID --hide | --show | --title T | --section S | --featured | --not-featured
                      | --short-url U | --deadline YYYY-MM-DD | --no-deadline | --note TEXT
                      | --clear FIELD | --confirm
    tradecal edit --list          every override: UID, field, value, set_at, state, and the
                                  event's title as its source gives it
    tradecal edit --find WORDS    events whose title holds WORDS, with their UIDs

UID may be a unique prefix of one (``wto-3fa1``). Several options combine in one call. A
change is published at once: the feeds are rewritten (under the store lock, as ``run``
writes them), and the command says so.
An unknown or ambiguous UID, or a value a field does not take, exits 2 and changes nothing.
``--list`` prints tab-separated lines to stdout; its ``state`` column is ``ok``, ``stale:
upstream changed FIELD, ...`` (the override still applies; ``--confirm`` settles it) or
``event gone``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

import click

from aggregator.cli.context import EXIT_USAGE, Context, console, pass_context
from aggregator.core.model import SECTIONS
from aggregator.store.db import Store
from aggregator.store.edited import override_states
from aggregator.store.overrides import (
    FIELDS,
    AmbiguousUid,
    OverrideError,
    UnknownEvent,
    clear_override,
    confirm_overrides,
    describe_value,
    find_events,
    parse_value,
    resolve_uid,
    set_override,
)

LIST_COLUMNS = ("uid", "field", "value", "set_at", "state", "event")
CLEARABLE = (*FIELDS, "short-url", "registration_deadline")
SHOWN_MATCHES = 10


@click.command(name="edit")
@click.argument("uid", required=False)
@click.option("--hide", is_flag=True, help="Leave the event out of tables and feeds.")
@click.option("--show", is_flag=True, help="Undo --hide.")
@click.option("--title", help="Print this title instead of the source's.")
@click.option("--section", metavar="SECTION",
              help=f"Calendar section: {', '.join(SECTIONS)} (a unique prefix will do), or "
                   "none (the events tables).")
@click.option("--featured/--not-featured", default=None,
              help="List it in 活動快訊 (featured) or 其他經貿相關活動.")
@click.option("--short-url", metavar="URL", help="Short link printed instead of the URL.")
@click.option("--deadline", metavar="YYYY-MM-DD", help="Registration deadline.")
@click.option("--no-deadline", is_flag=True, help="Print no registration deadline.")
@click.option("--note", metavar="TEXT", help="A note for editors (not printed).")
@click.option("--clear", "clear", multiple=True, metavar="FIELD",
              type=click.Choice(CLEARABLE),
              help=f"Drop the override of FIELD ({', '.join(FIELDS)}); repeatable.")
@click.option("--confirm", is_flag=True,
              help="The upstream changes are seen: keep the overrides, stop flagging them.")
@click.option("--list", "list_", is_flag=True, help="List every override and its state.")
@click.option("--find", metavar="WORDS", help="List events whose title holds WORDS.")
@pass_context
def edit_command(context: Context, uid: str | None, hide: bool, show: bool, title: str | None,
                 section: str | None, featured: bool | None, short_url: str | None,
                 deadline: str | None, no_deadline: bool, note: str | None,
                 clear: tuple[str, ...], confirm: bool, list_: bool, find: str | None) -> None:
    """Override what the sources say of event UID (hide, retitle, move, feature, ...).

    Example:

    \b
        tradecal edit --find 'Trade Policy Review'
        tradecal edit 3f2a9c --hide
        tradecal edit 3f2a9c --title '貿易政策檢討' --section WTO
    """
    changes = _changes(hide, show, title, section, featured, short_url, deadline,
                       no_deadline, note)
    if list_ or find is not None:
        if uid or changes or clear or confirm:
            _usage("--list and --find take no UID and no other option")
        with context.store() as store:
            if list_:
                _print_list(store)
            else:
                _print_found(store, find or "")
        return
    if not uid:
        _usage("give an event UID (or --list, or --find WORDS)")
    if not (changes or clear or confirm):
        _usage("nothing to change: give --hide, --title, --section, ... (see --help)")
    with context.store() as store, context.lock():
        full = _resolve(store, uid, clearing_only=not changes and not confirm)
        _apply(store, full, changes, [_field_name(name) for name in clear], confirm)
        context.publish(store)


def _changes(hide: bool, show: bool, title: str | None, section: str | None,
             featured: bool | None, short_url: str | None, deadline: str | None,
             no_deadline: bool, note: str | None) -> dict[str, str | None]:
    """Field → new value (None: clear), checked before anything is stored."""
    if hide and show:
        _usage("--hide and --show contradict each other")
    if deadline is not None and no_deadline:
        _usage("--deadline and --no-deadline contradict each other")
    wanted: dict[str, str | None] = {}
    if hide or show:
        wanted["hidden"] = "1" if hide else None
    for field, value in (("title", title), ("section", section), ("short_url", short_url),
                         ("deadline", deadline), ("note", note)):
        if value is not None:
            wanted[field] = value
    if featured is not None:
        wanted["featured"] = "1" if featured else "0"
    if no_deadline:
        wanted["deadline"] = ""
    try:
        return {field: None if value is None else parse_value(field, value)
                for field, value in wanted.items()}
    except OverrideError as exc:
        _usage(str(exc))


def _field_name(name: str) -> str:
    return {"short-url": "short_url", "registration_deadline": "deadline"}.get(name, name)


def _resolve(store: Store, text: str, *, clearing_only: bool) -> str:
    try:
        return resolve_uid(store, text, with_overrides=clearing_only)
    except AmbiguousUid as exc:
        shown = exc.matches[:SHOWN_MATCHES]
        more = (f" (the first {len(shown)} shown)" if len(exc.matches) > len(shown) else "")
        listed = "\n  ".join(shown)
        _usage(f"UID prefix {text!r} matches {len(exc.matches)} events; give more of it"
               f"{more}:\n  {listed}")
    except UnknownEvent:
        _usage(f"unknown event UID {text!r}: no stored event has this UID or UID prefix "
               "(find UIDs with `tradecal edit --find WORDS` or on the editor page)")


def _apply(store: Store, uid: str, changes: dict[str, str | None], clear: Sequence[str],
           confirm: bool) -> None:
    err = console()
    for field, value in changes.items():
        if value is None:
            clear_override(store, uid, field)
            err.print(f"{uid}: {field} cleared", markup=False)
        else:
            set_override(store, uid, field, value)
            err.print(f"{uid}: {field} = {describe_value(field, value)}", markup=False)
    for field in clear:
        done = clear_override(store, uid, field)
        err.print(f"{uid}: {field} {'cleared' if done else 'was not overridden'}",
                  markup=False)
    if confirm:
        count = confirm_overrides(store, uid)
        err.print(f"{uid}: {count} override(s) confirmed against the upstream event",
                  markup=False)


def _print_list(store: Store) -> None:
    states = override_states(store)
    click.echo("\t".join(LIST_COLUMNS))
    for state in states:
        override = state.override
        cells = (override.uid, override.field, describe_value(override.field, override.value),
                 override.set_at.isoformat(), state.describe(), state.title or "")
        click.echo("\t".join(" ".join(cell.split()) for cell in cells))
    stale = sum(1 for state in states if state.stale)
    if stale:
        console().print(f"{stale} override(s) need a look: the event changed upstream or is "
                        "gone (`tradecal edit UID --confirm` keeps them as they are)",
                        markup=False, style="yellow")


def _print_found(store: Store, words: str) -> None:
    for stored in find_events(store, words):
        event = stored.event
        click.echo("\t".join((event.uid, event.start.isoformat(), event.organization,
                              " ".join(event.title.split()))))


def _usage(message: str) -> NoReturn:
    console().print(f"tradecal edit: {message}", markup=False, style="red")
    sys.exit(EXIT_USAGE)
