//! PostgreSQL restarted under a stream of writes.
