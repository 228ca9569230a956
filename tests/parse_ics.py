"""Parses an iCalendar feed (stdin) with the icalendar library and prints
its events as JSON lines: {"summary", "start", "location"}."""
import json
import sys

from icalendar import Calendar

cal = Calendar.from_ical(sys.stdin.read())
for event in cal.walk("VEVENT"):
    start = event.get("DTSTART")
    print(json.dumps({
        "summary": str(event.get("SUMMARY")),
        "start": start.dt.isoformat() if start else None,
        "location": str(event.get("LOCATION")) if event.get("LOCATION") else None,
    }, ensure_ascii=False))
