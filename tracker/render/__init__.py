"""Render a story for people: timeline pictures (PNG, SVG, self-contained HTML)."""
