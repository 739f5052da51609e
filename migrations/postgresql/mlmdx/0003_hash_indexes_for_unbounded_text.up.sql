-- A B-tree entry must fit in a third of a page (about 2.7 kB), so MLMD's
-- B-tree indexes over unbounded text make PostgreSQL refuse an artifact
-- whose uri, or a property whose string value, is longer than that (SQLite
-- has no such limit, and MLMD's API none either). Hash indexes keep only a
-- hash of the value and still serve the equality lookups these indexes are
-- for (GetArtifactsByURI, `properties.p.string_value = '...'`). The index
-- names stay MLMD's.

DROP INDEX IF EXISTS idx_artifact_uri;
CREATE INDEX IF NOT EXISTS idx_artifact_uri ON Artifact USING hash (uri);

DROP INDEX IF EXISTS idx_artifact_property_string;
CREATE INDEX IF NOT EXISTS idx_artifact_property_string
  ON ArtifactProperty USING hash (string_value);

DROP INDEX IF EXISTS idx_execution_property_string;
CREATE INDEX IF NOT EXISTS idx_execution_property_string
  ON ExecutionProperty USING hash (string_value);

DROP INDEX IF EXISTS idx_context_property_string;
CREATE INDEX IF NOT EXISTS idx_context_property_string
  ON ContextProperty USING hash (string_value);
