"""Runs the tests at another moment: `TRACKER_TEST_NOW=2026-03-29T23:40:00+00:00 pytest -p tests.timeshift ...`.
The clock starts there and ticks on (time-machine), so that the suite is shown to pass at any hour: 23:40 UTC is
the next day in Sweden, and a DST change day has 23 or 25 hours."""

import os

import time_machine


def pytest_configure(config):
    if moment := os.environ.get("TRACKER_TEST_NOW"):
        config._tracker_travel = time_machine.travel(moment, tick=True)
        config._tracker_travel.start()


def pytest_report_header(config):
    if moment := os.environ.get("TRACKER_TEST_NOW"):
        return f"Tidsresa (TRACKER_TEST_NOW): testerna körs från {moment}"


def pytest_unconfigure(config):
    if travel := getattr(config, "_tracker_travel", None):
        travel.stop()
