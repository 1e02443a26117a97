"""Alerts: tell targets (webhooks, commands, apprise services) when a story's slot changes.

The data flow: the projection engine accepts a story's transitions and, in the
same transaction, :func:`tracker.alerts.outbox.record` writes one outbox row per
(change, target); :class:`tracker.alerts.sender.Sender` delivers those rows with
retries and records every attempt.
"""
