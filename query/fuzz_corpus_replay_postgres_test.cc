// File: query/fuzz_corpus_replay_postgres_test.cc
// -----------------------------------------------------------------------------
//
// Runs every file of query/fuzz_corpus/ on SQLite and on a throwaway
// PostgreSQL server holding the same rows: CompileFilter fails alike for
// both dialects, or both SQL texts run and select the same ids. The rows
// give the names the corpus uses (properties p, p1..p4, d, runtime, ...)
// values of every type, NULLs, an int64 at its limit and non-ASCII names,
// so that most filters select something.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "query/testing/golden_file.h"
#include "query/testing/postgres_schema_db.h"
#include "query/testing/schema_db.h"
#include "tests/postgres_test.h"

namespace mlmdx::query {
namespace {

// Ten nodes of each kind (ids 1..10, i = id - 1) with neighbours and
// properties derived from i.
constexpr absl::string_view kRows = R"sql(
INSERT INTO Type(id, name, type_kind) VALUES
  (1, 't1', 1), (2, 'ctype', 2), (3, 'et', 0), (4, 't2', 1);
CREATE TEMP TABLE n AS
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
  SELECT i FROM n;
CREATE TEMP TABLE names(i INTEGER, name TEXT);
INSERT INTO names VALUES (0, 'x'), (1, 'a_b'), (2, 'Straße'), (3, 'node_2'),
  (4, 'B'), (5, 'é'), (6, NULL), (7, 'c1'), (8, 'tab	end'), (9, 'uri');
INSERT INTO Artifact(id, type_id, uri, state, name, external_id,
                     create_time_since_epoch, last_update_time_since_epoch)
  SELECT n.i + 1, CASE n.i % 2 WHEN 0 THEN 1 ELSE 4 END,
         CASE n.i % 4 WHEN 0 THEN 'uri_' || n.i WHEN 1 THEN 'URI_' || n.i
                      WHEN 2 THEN 'x' END,
         CASE WHEN n.i % 5 = 0 THEN NULL ELSE n.i % 5 END, names.name,
         'artifact_' || n.i, n.i * 100, n.i * 100 + 50
  FROM n JOIN names ON names.i = n.i;
INSERT INTO Execution(id, type_id, last_known_state, name, external_id,
                      create_time_since_epoch, last_update_time_since_epoch)
  SELECT n.i + 1, 3, CASE WHEN n.i = 9 THEN NULL ELSE n.i % 7 END, names.name,
         'execution_' || n.i, n.i * 100, n.i * 100 + 50
  FROM n JOIN names ON names.i = n.i;
INSERT INTO Context(id, type_id, name, external_id, create_time_since_epoch,
                    last_update_time_since_epoch)
  SELECT i + 1, 2, 'c' || i, 'context_' || i, i * 100, i * 100 + 50 FROM n;
INSERT INTO ParentContext(context_id, parent_context_id) VALUES
  (2, 1), (3, 1), (4, 2), (6, 5), (7, 5);
INSERT INTO Attribution(context_id, artifact_id)
  SELECT i % 3 + 1, i + 1 FROM n UNION SELECT 6, i + 1 FROM n WHERE i % 2 = 1;
INSERT INTO Association(context_id, execution_id)
  SELECT i % 3 + 1, i + 1 FROM n UNION SELECT 7, i + 1 FROM n WHERE i % 2 = 0;
INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch)
  SELECT i + 1, i % 5 + 1, i % 6 + 1, i * 10 FROM n;
CREATE TEMP TABLE props AS
  SELECT i + 1 AS node_id, 'p1' AS name, 0 AS custom,
         CASE i WHEN 9 THEN 9223372036854775807 ELSE i - 3 END AS iv,
         NULL AS dv, NULL AS sv, NULL AS bv FROM n
  UNION ALL SELECT i + 1, 'p2', 0, NULL, i * 0.5 - 1, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'p3', 0, NULL, NULL, '0' || i, NULL FROM n
  UNION ALL SELECT i + 1, 'p4', 0, NULL, NULL, NULL, i % 2 = 0 FROM n
  UNION ALL SELECT i + 1, 'p', 0, i * 1000000007, NULL, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'p', 1, i, NULL, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'd', 0, NULL, i / 4.0, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'name', 0, NULL, NULL, 'nm' || i, NULL FROM n
    WHERE i < 3
  UNION ALL SELECT i + 1, 'runtime', i % 2, NULL, NULL, 'r' || i % 3, NULL
    FROM n
  UNION ALL SELECT i + 1, 'parent_dag_id', 1, i % 3, NULL, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'qux', 0, NULL, NULL, NULL, i % 3 = 0 FROM n
  UNION ALL SELECT i + 1, 'bar_baz', 0, NULL, -i * 1.5, NULL, NULL FROM n
  UNION ALL SELECT i + 1, 'some_property', 1, NULL, NULL, '' || i, NULL FROM n
  UNION ALL SELECT 1, 'p' || i, 1, i, NULL, NULL, NULL FROM n
  UNION ALL SELECT 5, 'MyProp', 1, 9, NULL, NULL, NULL;
INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property, int_value,
                             double_value, string_value, bool_value)
  SELECT * FROM props;
INSERT INTO ExecutionProperty(execution_id, name, is_custom_property,
                              int_value, double_value, string_value, bool_value)
  SELECT * FROM props;
INSERT INTO ContextProperty(context_id, name, is_custom_property, int_value,
                            double_value, string_value, bool_value)
  SELECT * FROM props;
)sql";

class FuzzCorpusReplayPostgresTest : public testing::PostgresClusterTest {};

TEST_F(FuzzCorpusReplayPostgresTest, EveryCorpusFileSelectsTheSameIds) {
  absl::StatusOr<std::unique_ptr<SchemaDb>> sqlite =
      SchemaDb::Open(EmbeddedSqliteSchema());
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  const absl::Status filled = (*sqlite)->Exec(kRows);
  ASSERT_TRUE(filled.ok()) << filled;
  absl::StatusOr<std::unique_ptr<PostgresSchemaDb>> pg =
      PostgresSchemaDb::Create(cluster().ConnInfo("postgres"), "corpus",
                               EmbeddedPostgresSchema());
  ASSERT_TRUE(pg.ok()) << pg.status();
  const absl::Status copied = (*pg)->CopyFrom(**sqlite);
  ASSERT_TRUE(copied.ok()) << copied;

  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(MLMDX_FUZZ_CORPUS_DIR)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 300u);
  int selecting = 0;
  for (const std::filesystem::path& path : files) {
    absl::StatusOr<int> result =
        CheckSameIdsOnPostgres(**sqlite, **pg, ReadTextFile(path.string()));
    EXPECT_TRUE(result.ok()) << path.filename() << ": " << result.status();
    if (result.ok()) selecting += *result;
  }
  // Most of the corpus is valid and selects rows here, so that equal ids
  // are rarely equal because both are empty.
  EXPECT_GE(selecting, 250);
}

}  // namespace
}  // namespace mlmdx::query
