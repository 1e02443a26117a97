"""Alert tables: targets, the changes already announced, the outbox, delivery attempts.

Unlike the projection tables these are not rebuilt: ``alert_changes`` remembers
which transitions were announced, so a rebuild that finds the same transitions
announces nothing, and one that loses a transition announces its retraction.

* ``alert_targets``  where to send (kind ``webhook``, ``command`` or ``apprise``),
  with an optional story and slot filter and, for webhooks, the signing secret;
* ``alert_changes``  one row per announced change identity (story, slot, op,
  value, time); ``state`` is ``accepted`` or ``retracted``, ``generation`` counts
  how often it was accepted again after a retraction;
* ``alert_outbox``   one row per (target, notification), unique on the target and
  the notification's idempotency key; the payload is fixed when the row is written;
* ``alert_attempts`` every delivery attempt of an outbox row.
"""

from __future__ import annotations

import sqlalchemy as sa

from tracker.eventlog.tables import metadata

targets = sa.Table(
    "alert_targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=True),
    sa.Column("story", sa.String(100), nullable=True),
    sa.Column("slots", sa.Text, nullable=True),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    # A target a story file declares (0008): the story's id, and the environment
    # variable that holds its signing secret (never the secret itself).
    sa.Column("declared_in", sa.String(100), nullable=True),
    sa.Column("secret_env", sa.String(200), nullable=True),
)

changes = sa.Table(
    "alert_changes",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("story", sa.String(100), nullable=False),
    sa.Column("slot", sa.String(100), nullable=False),
    sa.Column("op", sa.String(20), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("changed_us", sa.BigInteger, nullable=False),
    sa.Index("ix_alert_changes_story", "story", "state"),
)

outbox = sa.Table(
    "alert_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "target_id", sa.Integer, sa.ForeignKey("alert_targets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("idempotency_key", sa.String(80), nullable=False),
    sa.Column("change_key", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_us", sa.BigInteger, nullable=False),
    sa.Column("leased_until_us", sa.BigInteger, nullable=True),
    sa.Column("delivered_us", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("target_id", "idempotency_key", name="uq_alert_outbox_target_key"),
    sa.Index("ix_alert_outbox_due", "status", "next_attempt_us"),
)

attempts = sa.Table(
    "alert_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "outbox_id", sa.Integer, sa.ForeignKey("alert_outbox.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Index("ix_alert_attempts_outbox", "outbox_id"),
)

ALL = (attempts, outbox, changes, targets)
