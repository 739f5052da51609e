// The CLI's direct mode on PostgreSQL only reads: every verb leaves the
// database as it was (no schema, no mlmdx track, no simple type, no row),
// and a database that does not exist, or holds no MLMD schema, is refused
// without being created or filled.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::testing::HasSubstr;
using Rows = std::vector<std::vector<std::string>>;

class CliPostgresDirectTest : public CliTest {
 protected:
  // The database server's URI, without the database.
  std::string UriBase() const {
    const std::string& uri = Server().db_path();
    return uri.substr(0, uri.rfind('/'));
  }

  Rows Query(const std::string& sql) const {
    return QueryPostgresRows(Server().db_path(), sql);
  }

  // What a write would change: the schema's tables and indexes, the rows
  // of every table and the sequences. (Not the cluster's databases: the
  // tests of other processes create and drop theirs.)
  Rows Snapshot() const {
    Rows snapshot = Query(
        "SELECT 'table', table_name FROM information_schema.tables WHERE "
        "table_schema = current_schema() UNION ALL SELECT 'index', "
        "indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "ORDER BY 1, 2");
    for (const auto& table :
         Query("SELECT table_name FROM information_schema.tables WHERE "
               "table_schema = current_schema() ORDER BY 1")) {
      snapshot.push_back(
          {table[0],
           Query(absl::StrCat("SELECT count(*) FROM ", table[0])).at(0).at(0)});
    }
    for (const auto& sequence :
         Query("SELECT sequencename, coalesce(last_value, 0) FROM "
               "pg_sequences WHERE schemaname = current_schema() ORDER BY 1")) {
      snapshot.push_back(sequence);
    }
    return snapshot;
  }
};

INSTANTIATE_TEST_SUITE_P(Modes, CliPostgresDirectTest,
                         ::testing::Values(CliMode::kDirectPostgres),
                         CliModeName);

TEST_P(CliPostgresDirectTest, EveryVerbWritesNothing) {
  // Without mlmdx's track and one of MLMD's simple types, the database is
  // one that any open for writing would change: it would add both back.
  Query(
      "DROP TABLE mlmdx_schema; DROP INDEX mlmdx_idx_attribution_artifact_id;"
      " DROP INDEX mlmdx_idx_association_execution_id;"
      " DELETE FROM Type WHERE name = 'mlmd.Deploy'");
  const Rows before = Snapshot();
  const KfpRun& a = Runs().a;
  const KfpRun& c = Runs().c;
  const std::vector<std::vector<std::string>> verbs = {
      {"lookup", a.model_uri, "-o", "json"},
      {"get", "artifacts", "--type", "system.Model", "-o", "json"},
      {"get", "contexts", "--type", "system.PipelineRun", "-o", "table"},
      {"lineage", "--uri", a.model_uri, "--upstream", "-o", "json"},
      {"audit", "model", "--uri", a.model_uri, "-o", "json"},
      {"runs", "list", "-o", "json"},
      {"runs", "compare", a.name, c.name, "-o", "json"},
      {"health"},
  };
  for (const auto& verb : verbs) {
    const CliResult r = Cli(verb);
    EXPECT_EQ(r.exit_code, 0) << verb[0] << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << verb[0];
  }
  const CliResult version = RunMlmdx({"version", "--db", Server().db_path()});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr(": MLMD schema version 10\n"));
  EXPECT_EQ(Snapshot(), before);

  // A restarted server does add them back (so the database above was one a
  // writer would have changed).
  ASSERT_EQ(Server().Stop(), 0);
  ASSERT_THAT(Server().Start(), IsOk());
  EXPECT_EQ(Query("SELECT count(*) FROM mlmdx_schema"), Rows({{"1"}}));
  EXPECT_EQ(Query("SELECT count(*) FROM Type WHERE name = 'mlmd.Deploy'"),
            Rows({{"1"}}));
}

TEST_P(CliPostgresDirectTest, MissingOrForeignDatabaseIsRefusedUntouched) {
  const std::string missing = UriBase() + "/no_such_db";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"get", "artifacts", "--db", missing},
        std::vector<std::string>{"version", "--db", missing}}) {
    const CliResult r = RunMlmdx(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_THAT(r.err, HasSubstr("database \"no_such_db\" does not exist"))
        << args[0];
  }
  EXPECT_EQ(Query("SELECT count(*) FROM pg_database WHERE datname = "
                  "'no_such_db'"),
            Rows({{"0"}}));

  // An empty database is not an MLMD database; the CLI must not make it
  // one.
  Query("CREATE DATABASE empty_db");
  const std::string empty = UriBase() + "/empty_db";
  const CliResult r = RunMlmdx({"get", "artifacts", "--db", empty});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("holds no MLMD schema"));
  const CliResult version = RunMlmdx({"version", "--db", empty});
  EXPECT_EQ(version.exit_code, 0) << version.err;
  EXPECT_THAT(version.out, HasSubstr("empty_db on 127.0.0.1 port "));
  EXPECT_THAT(version.out, HasSubstr(": no MLMD schema\n"));
  EXPECT_EQ(QueryPostgresRows(empty,
                              "SELECT count(*) FROM pg_class c JOIN "
                              "pg_namespace n ON n.oid = c.relnamespace "
                              "WHERE n.nspname = 'public'"),
            Rows({{"0"}}));
  Query("DROP DATABASE empty_db");
}

}  // namespace
}  // namespace mlmdx::testing
