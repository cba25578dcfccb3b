"""How runs happen: jobs, schedules, sensors, what is up to date, the run's event log, progress
and the dev server."""
