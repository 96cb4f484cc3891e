"""The överenskommelser: each agreement's years with their medel, villkor (deadlines, recipients, the amounts they
release, their fulfilment) and the utskott's decisions. Below plans: a plan and a report belong to an agreement's
year; the pages that read across plans, versions and reports for a year live higher up."""
