"""Background work: RQ queues, the job registry and the scheduler of periodic work."""
