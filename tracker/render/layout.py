"""Turn a story's baseline and transitions into lanes of bars and markers to draw.

A single-valued slot (``ceo``) is one lane whose bars are the successive
holders; a set-valued slot (``board``, ``microsoft``) gets one lane per member
or tag, with a bar while it belongs. Each transition is a numbered marker on the
lanes it changed, carrying its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.types import SlotValue, Source, StoryState, Transition

_DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Bar:
    """A span during which a lane's holder (or member) held."""

    lane: str
    slot: str
    label: str
    start_us: int
    end_us: int
    holder: str
    interim: bool = False
    chair: bool = False


@dataclass(frozen=True, slots=True)
class Marker:
    """A numbered transition, drawn on the lanes it changed."""

    number: int
    at_us: int
    slot: str
    lanes: tuple[str, ...]
    text: str
    sources: tuple[Source, ...]
    correction: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything a renderer needs: lanes top to bottom, bars, markers, the time span."""

    title: str
    lanes: tuple[str, ...]
    bars: tuple[Bar, ...]
    markers: tuple[Marker, ...]
    start_us: int
    end_us: int
    holders: tuple[str, ...]      # every name or tag drawn, in order of appearance


def slot_title(slot: str) -> str:
    """Return a slot's display name: ``ceo`` -> ``CEO``, ``board`` -> ``Board``."""
    return slot.upper() if len(slot) <= 3 else slot.replace("_", " ").replace("-", " ").title()


def _members(value: SlotValue) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _is_set(slot: str, transitions: Sequence[Transition], baseline: StoryState | None) -> bool:
    if baseline is not None:
        for state in baseline.slots:
            if state.slot == slot and isinstance(state.value, tuple):
                return True
    return any(isinstance(t.value, tuple) for t in transitions if t.slot == slot)


def build_chart(
    transitions: Sequence[Transition],
    baseline: StoryState | None = None,
    *,
    title: str = "",
    start_us: int | None = None,
    end_us: int | None = None,
) -> Chart:
    """Lay out a story's slots over time from its baseline and accepted transitions."""
    ordered = sorted(transitions, key=lambda t: (t.at_us, t.slot))
    if start_us is None:
        first = ordered[0].at_us if ordered else 0
        start_us = first - _DAY_US
    if end_us is None:
        last = ordered[-1].at_us if ordered else start_us
        end_us = max(last + 2 * _DAY_US, start_us + _DAY_US)

    slots: list[str] = []
    current: dict[str, tuple[str, ...]] = {}
    interim: dict[str, bool] = {}
    chair: dict[str, str | None] = {}
    if baseline is not None:
        for state in baseline.slots:
            slots.append(state.slot)
            current[state.slot] = _members(state.value)
            interim[state.slot] = bool(state.interim)
            chair[state.slot] = state.chair
    for t in ordered:
        if t.slot not in slots:
            slots.append(t.slot)
            current.setdefault(t.slot, ())
    set_slots = {s for s in slots if _is_set(s, ordered, baseline)}

    lanes: list[str] = []
    lane_slot: dict[str, int] = {}
    holders: list[str] = []
    bars: list[Bar] = []
    opened: dict[tuple[str, str], tuple[int, bool, bool]] = {}  # (slot, holder) -> start, interim, chair

    def lane_of(slot: str, holder: str) -> str:
        name = f"{slot_title(slot)} · {holder}" if slot in set_slots else slot_title(slot)
        if name not in lanes:
            lanes.append(name)
            lane_slot[name] = slots.index(slot)
        return name

    def open_bar(slot: str, holder: str, at: int, is_interim: bool, is_chair: bool) -> None:
        lane_of(slot, holder)
        if holder not in holders:
            holders.append(holder)
        opened[(slot, holder)] = (at, is_interim, is_chair)

    def close_bar(slot: str, holder: str, at: int) -> None:
        began, is_interim, is_chair = opened.pop((slot, holder))
        if at <= began:
            return
        label = holder + (" (interim)" if is_interim else "") + (" (chair)" if is_chair else "")
        bars.append(Bar(lane_of(slot, holder), slot, label, began, at, holder, is_interim, is_chair))

    for slot in slots:
        for holder in current[slot]:
            open_bar(slot, holder, start_us, interim.get(slot, False) and slot not in set_slots,
                     chair.get(slot) == holder)

    markers: list[Marker] = []
    for number, t in enumerate(ordered, start=1):
        before = current[t.slot]
        after = _members(t.value)
        was_interim = interim.get(t.slot, False)
        was_chair = chair.get(t.slot)
        now_interim = bool(t.interim) and t.slot not in set_slots
        now_chair = t.chair if t.chair is not None else (was_chair if was_chair in after else None)
        changed: list[str] = []
        for holder in before:
            keeps = holder in after
            role_changed = (keeps and t.slot not in set_slots and was_interim != now_interim) or (
                keeps and (holder == was_chair) != (holder == now_chair))
            if not keeps or role_changed:
                close_bar(t.slot, holder, t.at_us)
                changed.append(lane_of(t.slot, holder))
        for holder in after:
            if (t.slot, holder) not in opened:
                open_bar(t.slot, holder, t.at_us, now_interim, holder == now_chair)
                changed.append(lane_of(t.slot, holder))
        current[t.slot] = after
        interim[t.slot] = now_interim
        chair[t.slot] = now_chair
        if not changed:
            changed.append(lane_of(t.slot, after[0]) if after else _slot_lane(t.slot, set_slots, lanes))
        markers.append(Marker(number, t.at_us, t.slot, tuple(dict.fromkeys(changed)),
                              describe(t), t.sources, t.correction))

    for slot, holder in list(opened):
        close_bar(slot, holder, end_us)
    lanes.sort(key=lambda lane: lane_slot.get(lane, len(slots)))  # stable: by slot, then appearance
    return Chart(title, tuple(lanes), tuple(bars), tuple(markers), start_us, end_us, tuple(holders))


def _slot_lane(slot: str, set_slots: set[str], lanes: list[str]) -> str:
    prefix = slot_title(slot)
    for lane in lanes:
        if lane == prefix or lane.startswith(prefix + " · "):
            return lane
    lanes.append(prefix)
    return prefix


def describe(t: Transition) -> str:
    """Return a short text for a transition: ``CEO → Mira Murati (interim)``."""
    name = slot_title(t.slot)
    value = t.value
    if value is None:
        shown = "none"
    elif isinstance(value, str):
        shown = value
    else:
        shown = ", ".join(value) if value else "none"
    text = f"{name} → {shown}"
    if t.interim:
        text += " (interim)"
    if t.chair:
        text += f"; chair {t.chair}"
    if t.correction:
        text += " [correction]"
    return text
