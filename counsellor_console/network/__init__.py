"""The partner network (issue 13): the experts' space, the calendar, the outreach log and the
member register. Who may use which part is decided in one place, ``access.py``."""
