"""Placeholder."""

from __future__ import annotations

from tracker.stories.extract import en

LANGUAGE = en.LANGUAGE
