"""E-mail about reporting rounds: a round opened, reminders before its deadline, who is late after it."""
