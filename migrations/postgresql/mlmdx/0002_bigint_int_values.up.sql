-- mlmdx track, version 2 on PostgreSQL: a database MLMD created holds
-- property int_value as INT (32 bits); widen it to BIGINT so that every
-- 64-bit value MLMD's API accepts can be stored, as on SQLite. MLMD reads
-- BIGINT columns unchanged. A no-op on a database mlmdx created.
ALTER TABLE ArtifactProperty ALTER COLUMN int_value TYPE BIGINT;
ALTER TABLE ExecutionProperty ALTER COLUMN int_value TYPE BIGINT;
ALTER TABLE ContextProperty ALTER COLUMN int_value TYPE BIGINT;
