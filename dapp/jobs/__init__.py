"""The wiring of background work: the scheduler's periodic jobs (`scheduler.py`) and the chain outbox's handlers
in the order a run takes them (`outbox.py`). Jobs themselves live in their features (`<feature>/jobs.py`)."""
