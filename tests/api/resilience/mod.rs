//! Faults (issue 19): slow and oversized clients, stop signals, the database going away or filling up, tokens
//! from the future, and a PostgreSQL restart under a stream of writes.

mod connections;
