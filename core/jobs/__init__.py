"""Jobs and their one owner: the queue, the scheduler, replication, preflight, run management."""
