"""Loaded by .ci/fuzz-api (SCHEMATHESIS_HOOKS): the bulk import's JSON lines are text on the wire, like text/csv,
which schemathesis already sends as text; it has no serializer of its own for application/x-ndjson."""

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
