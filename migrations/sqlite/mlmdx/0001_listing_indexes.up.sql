-- mlmdx track, version 1: indexes that filter_query listings need and
-- MLMD's schema v10 lacks. Only objects named mlmdx_* are added; MLMD's own
-- tables and indexes stay exactly as MLMD creates them (MLMD probes columns
-- and never counts indexes, so it does not notice these). Recorded in
-- mlmdx_schema(track = 'mlmdx'), never in MLMDEnv. Plans and figures:
-- bench/RESULTS.md, "Filtered listings".

-- Artifact -> its contexts (`contexts_a.*` on artifacts when the artifact
-- side is the selective one, e.g. `uri = ... AND contexts_a.type = ...`) and
-- `artifacts_a.*` on contexts. MLMD only has UNIQUE(context_id, artifact_id),
-- so SQLite otherwise scans the whole Attribution table.
CREATE INDEX IF NOT EXISTS mlmdx_idx_attribution_artifact_id
  ON Attribution(artifact_id);

-- The same for executions (`executions_a.*` on contexts, e.g. the KFP run
-- of an execution); MLMD only has UNIQUE(context_id, execution_id), so SQLite
-- otherwise scans every context.
CREATE INDEX IF NOT EXISTS mlmdx_idx_association_execution_id
  ON Association(execution_id);

-- Not added: Context(name). It serves `name = "..."` on contexts (Model
-- Registry lookups by name, a scan of MLMD's small (type_id, name) index
-- otherwise), but without ANALYZE statistics SQLite then drives two-context
-- filters (`contexts_a` node AND `contexts_b` run) from the larger context
-- and the TFX node+run listing got 50x slower. See bench/RESULTS.md.
