"""Deadlines and reminders.

``policy`` (when: offsets, working days, office hours), ``messages`` (what, in the recipient's
language), ``service`` (who is due what now, read from the database; claim, send, record),
``dispatch`` (the ``Sender`` protocol the channel adapters in ``bot/`` implement, rate limits, 429),
``scheduler`` (the APScheduler jobs and the lock that lets one process run them). Periods and the
inheritance of due dates down the org tree are pure functions in ``reports.periods``.
"""
