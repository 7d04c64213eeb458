"""Service requests and complaints with first-responder responsibility and deadlines
(首问负责、限时办结): every request has an owning unit (and often a person) and a deadline in
working time from the first minute; transfers are recorded who → whom → why; overdue requests
escalate to the next level by the ``requests.escalate`` job, with reminders before the deadline;
the resident follows the status and rates the handling when closed."""
