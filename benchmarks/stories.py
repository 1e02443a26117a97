"""Ten stories made from the shipped one: its people, companies and bodies renamed.

Story ``openai`` is copied as it is; each of the others gets a new id and every
proper name in it (the company, its people, Microsoft, the ChatGPT product)
suffixed with a few letters of its own, so the ten stories watch the same feeds
for different entities. A renamed story matches (almost) nothing in the corpus:
the cost measured is that of configuring many stories.
"""

from __future__ import annotations

import re
from pathlib import Path

from tracker.stories.definition import load_stories, stories_dir

NAMES = ("OpenAI", "Open AI", "ChatGPT", "Microsoft", "Altman", "Murati", "Shear", "Brockman",
         "Sutskever", "Toner", "McCauley", "D'Angelo", "D’Angelo", "Taylor", "Summers", "Nadella",
         "Mira", "Emmett", "Greg", "Ilya", "Helen", "Tasha", "Adam", "Bret", "Larry", "Sam")
_NAME = re.compile("|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True)))
_SUFFIXES = ("vex", "dor", "lun", "pyr", "kas", "mib", "tor", "zan", "wen")


def suffix_of(index: int) -> str:
    """Return the letters story ``openai<index>`` adds to every name."""
    return _SUFFIXES[(index - 1) % len(_SUFFIXES)] + ("" if index <= len(_SUFFIXES) else str(index))


def rename(text: str, index: int) -> str:
    """Return a text with the story's names as story ``openai<index>`` spells them."""
    suffix = suffix_of(index)
    return _NAME.sub(lambda m: m.group(0) + suffix, text)


def renamed(text: str, index: int) -> str:
    """Return the shipped story file's text as story ``openai<index>`` with new names."""
    text = re.sub(r'(?m)^id = "openai"$', f'id = "openai{index}"', text, count=1)
    text = re.sub(r'(?m)^title = "([^"]*)"$', rf'title = "\1 ({suffix_of(index)})"', text, count=1)
    return rename(text, index)


def make_stories(folder: Path, count: int = 10) -> Path:
    """Write ``count`` story files into a folder (the shipped one first); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.toml"):
        old.unlink()
    shipped = (stories_dir() / "openai.toml").read_text(encoding="utf-8")
    (folder / "openai.toml").write_text(shipped, encoding="utf-8")
    for index in range(1, count):
        (folder / f"openai{index}.toml").write_text(renamed(shipped, index), encoding="utf-8")
    loaded = load_stories(folder)
    if len(loaded) != count:
        raise ValueError(f"made {len(loaded)} stories, wanted {count}")
    return folder
