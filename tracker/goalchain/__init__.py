"""The golden thread (målkedjan): from the strategy's delmål to the åtgärder and indicators of every plan and year
that serve them — the strategy's pages, what is done for each target group, and the follow-up in Word. Above plans,
followup and reports: it reads them; the strategy's own rows are tracker.strategy's."""
