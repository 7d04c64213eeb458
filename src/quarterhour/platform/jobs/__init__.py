"""Scheduled jobs (escalation, reminders, notification retries, notice-period ends, ...).

An app declares its periodic jobs in a ``jobs.py`` module::

    from datetime import timedelta
    from quarterhour.platform.jobs.registry import job

    @job("requests.escalate", every=timedelta(minutes=5))
    def escalate(now):          # the scheduler's clock time; return a small JSON-able dict
        return {"escalated": ...}

``quarterhour jobs`` (a process of its own, next to ``quarterhour worker`` which runs
assessments) imports every installed app's ``jobs`` module and runs each job when due; several
such processes may run, a job runs in one of them at a time (claimed in the database).
"""
