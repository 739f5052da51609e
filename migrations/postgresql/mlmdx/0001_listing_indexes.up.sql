-- mlmdx track, version 1 on PostgreSQL: the same two lookup indexes as on
-- SQLite (migrations/sqlite/mlmdx/0001_listing_indexes.up.sql says why),
-- named mlmdx_*, recorded in mlmdx_schema, never in MLMDEnv.
CREATE INDEX IF NOT EXISTS mlmdx_idx_attribution_artifact_id
  ON Attribution (artifact_id);
CREATE INDEX IF NOT EXISTS mlmdx_idx_association_execution_id
  ON Association (execution_id);
