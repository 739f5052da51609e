-- The change log: what each committed write added to the lineage graph,
-- one row per write transaction, so that every mlmdx server over this
-- database keeps its in-memory lineage index in step with writes made
-- through the others. A writer appends its row last, under a lock held
-- until its COMMIT ends, so `seq` order is commit order: a reader that has
-- seen row N has seen every row below N that will ever exist.
--
--   origin      the writing server (random per process), for diagnosis
--   written_at  for pruning old rows
--   changes     mlmdx.storage.LineageChangeRecord (proto/mlmdx/change_log.proto)
CREATE TABLE IF NOT EXISTS mlmdx_change_log (
  seq BIGSERIAL PRIMARY KEY,
  origin BIGINT NOT NULL,
  written_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  changes BYTEA NOT NULL
);

-- The highest seq pruning has removed: a server whose index stopped below
-- it cannot catch up from the log and reloads from the tables instead.
CREATE TABLE IF NOT EXISTS mlmdx_change_log_pruned (
  singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
  through_seq BIGINT NOT NULL
);
INSERT INTO mlmdx_change_log_pruned (singleton, through_seq)
  VALUES (TRUE, 0) ON CONFLICT DO NOTHING;
