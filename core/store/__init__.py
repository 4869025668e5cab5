"""The store: one DuckDB file (store.py, its only writer), its schema and migrations, and every read (queries.py)."""
