"""Projection tables: derived from the log, disposable, rebuilt at will.

Unlike ``events`` these rows may be updated and deleted. Every projection
commits its rows together with its checkpoint row (``projection_checkpoints``),
so a crash leaves either the old rows and the old checkpoint or the new ones.

* ``proj_evidence``    one row per (story, article revision) that made claims,
  with its claims (JSON, in extraction order); ``superseded`` is the position
  of the revision that replaced it;
* ``proj_corrections`` ``SlotAsserted`` events; ``proj_rejections`` ``ArticleRejected``;
* ``proj_transitions`` the accepted transitions of each story, oldest first;
* ``proj_resolution``, ``proj_accepted``, ``proj_marks`` what resolving a story again
  from where new evidence reaches needs (see :mod:`tracker.projections.resolution`):
  per story its horizon, holders and each operation's first accepted window; the
  accepted operations before corrections, one per window (its reports as evidence
  positions); and the syndication group
  of every mark (a 64-bit hash of it; 0 when two marks of different groups share it)
  with the position of its first report (in time order) that holds it.
"""

from __future__ import annotations

import sqlalchemy as sa

from tracker.eventlog.tables import metadata

checkpoints = sa.Table(
    "projection_checkpoints",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("rules_version", sa.String(200), nullable=False),
    sa.Column("hash", sa.String(64), nullable=True),  # of the event at ``position`` (0005)
)

evidence = sa.Table(
    "proj_evidence",
    metadata,
    sa.Column("story", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.String(400), nullable=False),
    sa.Column("superseded", sa.BigInteger, nullable=True),
    sa.Column("publisher", sa.Text, nullable=False),
    sa.Column("link", sa.Text, nullable=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("language", sa.String(40), nullable=True),
    sa.Column("published_us", sa.BigInteger, nullable=False),
    sa.Column("recorded_us", sa.BigInteger, nullable=False),
    sa.Column("content_hash", sa.String(128), nullable=False),
    sa.Column("stories", sa.Text, nullable=False),
    sa.Column("claims", sa.Text, nullable=False),
    sa.Index("ix_proj_evidence_published", "story", "published_us"),
    # Only replaced revisions (few): "what was superseded since a position" is a probe.
    sa.Index("ix_proj_evidence_superseded", "story", "superseded",
             sqlite_where=sa.text("superseded IS NOT NULL"),
             postgresql_where=sa.text("superseded IS NOT NULL")),
)

corrections = sa.Table(
    "proj_corrections",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("story", sa.String(100), nullable=False),
    sa.Column("slot", sa.String(100), nullable=False),
    sa.Column("op", sa.String(20), nullable=False),
    sa.Column("value", sa.Text, nullable=True),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("interim", sa.Boolean, nullable=True),
)

rejections = sa.Table(
    "proj_rejections",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.String(400), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=True),
    sa.Column("stories", sa.Text, nullable=False),
)

transitions = sa.Table(
    "proj_transitions",
    metadata,
    sa.Column("story", sa.String(100), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("slot", sa.String(100), nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("op", sa.String(20), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("interim", sa.Boolean, nullable=True),
    sa.Column("chair", sa.Text, nullable=True),
    sa.Column("sources", sa.Text, nullable=False),
    sa.Column("single_source", sa.Boolean, nullable=False),
    sa.Column("correction", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Index("ix_proj_transitions_slot_at", "story", "slot", "at_us", "seq"),
    sa.Index("ix_proj_transitions_at", "story", "at_us", "seq"),
)

resolution = sa.Table(
    "proj_resolution",
    metadata,
    sa.Column("story", sa.String(100), primary_key=True),
    sa.Column("horizon", sa.BigInteger, nullable=False),
    sa.Column("holders", sa.Text, nullable=False),
    sa.Column("firsts", sa.Text, nullable=False),
)

accepted = sa.Table(
    "proj_accepted",
    metadata,
    sa.Column("story", sa.String(100), primary_key=True),
    sa.Column("slot", sa.String(100), primary_key=True),
    sa.Column("op", sa.String(20), primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("start_us", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("interim", sa.Boolean, nullable=True),
    sa.Column("single_source", sa.Boolean, nullable=False),
    sa.Column("reports", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=True),     # "takes effect DAY: ..." of a dated change
    sa.Index("ix_proj_accepted_at", "story", "at_us"),
)

marks = sa.Table(
    "proj_marks",
    metadata,
    sa.Column("story", sa.String(100), primary_key=True),
    sa.Column("mark", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("unit", sa.BigInteger, nullable=False),
    sa.Column("holder", sa.BigInteger, nullable=False),
)

# Every projection table, children first (the order to empty them in).
ALL = (transitions, resolution, accepted, marks, evidence, corrections, rejections, checkpoints)
