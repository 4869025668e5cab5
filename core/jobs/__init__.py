"""Jobs and their one owner. A job is a folder (record/folder.py): training runs, final evaluations and judge jobs are
started by the scheduler as worker processes (`python -m yardstick.jobs FOLDER`, worker.py's table of kinds); imports
run in the process that holds the store. queue.py queues and cancels, sync.py reads what they wrote into the store,
replicate.py plans the study's replication, preflight.py refuses what cannot run, manage.py deletes and compares."""
