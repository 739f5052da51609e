// File: query/filter_injection_postgres_test.cc
// -----------------------------------------------------------------------------
//
// The SQL injection cases of filter_injection_test.cc with
// Dialect::kPostgres, run on a throwaway PostgreSQL server: the SQL holds no
// user text (byte-identical to the SQL for a harmless payload, no quote,
// semicolon or comment besides the dialect's own fixed COLLATE "C" and
// ESCAPE ''), binds the payload, selects the same ids as the SQLite SQL on
// the same rows, and changes nothing.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "query/testing/injection_cases.h"
#include "query/testing/postgres_schema_db.h"
#include "query/testing/schema_db.h"
#include "tests/postgres_test.h"

namespace mlmdx::query {
namespace {

constexpr NodeKind kAllKinds[] = {NodeKind::kArtifact, NodeKind::kExecution,
                                  NodeKind::kContext};

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points past U+10FFFF), the only text PostgreSQL accepts.
bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = text[i];
    int extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char next = text[i + k];
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[extra] || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool AllParamsAreUtf8(const CompiledFilter& filter) {
  for (const SqlParam& p : filter.params) {
    if (const auto* s = std::get_if<std::string>(&p); s && !IsUtf8(*s)) {
      return false;
    }
  }
  return true;
}

class InjectionPostgresTest : public testing::PostgresClusterTest {
 protected:
  void SetUp() override {
    PostgresClusterTest::SetUp();
    if (HasFatalFailure()) return;
    absl::StatusOr<std::unique_ptr<SchemaDb>> sqlite =
        SchemaDb::Open(EmbeddedSqliteSchema());
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    sqlite_ = std::move(*sqlite);
    ASSERT_TRUE(sqlite_
                    ->Exec(R"sql(
        INSERT INTO Type(id, name, type_kind) VALUES (1, 't', 1), (2, 'c', 2), (3, 'e', 0);
        INSERT INTO Artifact(id, type_id, uri, name) VALUES (1, 1, 'u', 'a'), (2, 1, 'u', 'harmless');
        INSERT INTO Execution(id, type_id, name) VALUES (1, 3, 'e');
        INSERT INTO Context(id, type_id, name) VALUES (1, 2, 'c');
        INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property, string_value)
          VALUES (2, 'harmless', 1, 'v');)sql")
                    .ok());
    absl::StatusOr<std::unique_ptr<PostgresSchemaDb>> pg =
        PostgresSchemaDb::Create(cluster().ConnInfo("postgres"),
                                 absl::StrCat("injection_", ++databases_),
                                 EmbeddedPostgresSchema());
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
    ASSERT_TRUE(pg_->CopyFrom(*sqlite_).ok());
    absl::StatusOr<std::string> schema = pg_->SchemaText();
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *schema;
  }

  // Expects the schema and the artifacts as SetUp left them.
  void ExpectUnchanged() {
    absl::StatusOr<std::string> schema = pg_->SchemaText();
    ASSERT_TRUE(schema.ok()) << schema.status();
    EXPECT_EQ(*schema, schema_);
    CompiledFilter all;
    all.sql = "SELECT id FROM Artifact";
    absl::StatusOr<std::vector<int64_t>> rows =
        pg_->MatchingIds(NodeKind::kArtifact, all);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ(*rows, (std::vector<int64_t>{1, 2}));
  }

  static inline int databases_ = 0;
  std::unique_ptr<SchemaDb> sqlite_;
  std::unique_ptr<PostgresSchemaDb> pg_;
  std::string schema_;
};

TEST_F(InjectionPostgresTest, PayloadsNeverReachTheSqlText) {
  int cases = 0;
  int ran = 0;
  int rejected_as_not_utf8 = 0;
  for (const std::string& payload : InjectionPayloads()) {
    for (const InjectionTemplate& t : InjectionTemplates()) {
      ++cases;
      const std::string filter = t.make(payload);
      for (NodeKind kind : kAllKinds) {
        SCOPED_TRACE(
            absl::StrCat("filter: ", filter, " kind ", static_cast<int>(kind)));
        absl::StatusOr<CompiledFilter> lite = CompileFilter(filter, kind);
        absl::StatusOr<CompiledFilter> pg =
            CompileFilter(filter, kind, Dialect::kPostgres);
        EXPECT_EQ(pg.status(), lite.status());
        if (!pg.ok()) {
          EXPECT_EQ(pg.status().code(), absl::StatusCode::kInvalidArgument);
          continue;
        }
        EXPECT_EQ(pg->params, lite->params);
        const std::string own_text_removed = absl::StrReplaceAll(
            pg->sql, {{" COLLATE \"C\"", ""}, {" ESCAPE ''", ""}});
        for (absl::string_view bad : {"'", "\"", "`", ";", "--", "/*"}) {
          EXPECT_FALSE(absl::StrContains(own_text_removed, bad)) << pg->sql;
        }
        if (t.escaped) {
          EXPECT_TRUE(HasStringParam(*pg, payload));
          absl::StatusOr<CompiledFilter> benign =
              CompileFilter(t.make("harmless"), kind, Dialect::kPostgres);
          ASSERT_TRUE(benign.ok()) << benign.status();
          EXPECT_EQ(pg->sql, benign->sql);
        }
        if (payload.size() >= 4 && payload != "table_0.id") {
          EXPECT_FALSE(absl::StrContains(pg->sql, payload)) << pg->sql;
        }
        absl::StatusOr<std::vector<int64_t>> got = pg_->MatchingIds(kind, *pg);
        if (!AllParamsAreUtf8(*pg)) {
          // PostgreSQL refuses such text before running anything.
          ASSERT_FALSE(got.ok());
          EXPECT_TRUE(absl::StrContains(got.status().message(), "22021"))
              << got.status();
          ++rejected_as_not_utf8;
          continue;
        }
        ASSERT_TRUE(got.ok()) << got.status();
        absl::StatusOr<std::vector<int64_t>> want =
            sqlite_->MatchingIds(kind, *lite);
        ASSERT_TRUE(want.ok()) << want.status();
        EXPECT_EQ(*got, *want) << pg->sql;
        ++ran;
      }
    }
  }
  EXPECT_GE(cases, 200);
  EXPECT_GT(ran, 100);
  // The one payload with a byte 0xff, in each escaped template that
  // compiles, for every kind.
  EXPECT_GT(rejected_as_not_utf8, 0);
  ExpectUnchanged();
}

TEST_F(InjectionPostgresTest, HarmlessPayloadSelectsItsRows) {
  // The same templates select rows when the payload names them, so the
  // comparisons above are not all between empty results.
  absl::StatusOr<CompiledFilter> by_name =
      CompileFilter(InjectionTemplates()[0].make("harmless"),
                    NodeKind::kArtifact, Dialect::kPostgres);
  ASSERT_TRUE(by_name.ok()) << by_name.status();
  absl::StatusOr<std::vector<int64_t>> ids =
      pg_->MatchingIds(NodeKind::kArtifact, *by_name);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, std::vector<int64_t>{2});

  absl::StatusOr<CompiledFilter> by_property =
      CompileFilter(InjectionTemplates()[3].make("harmless"),
                    NodeKind::kArtifact, Dialect::kPostgres);
  ASSERT_TRUE(by_property.ok()) << by_property.status();
  ids = pg_->MatchingIds(NodeKind::kArtifact, *by_property);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, std::vector<int64_t>{2});
}

TEST_F(InjectionPostgresTest, ClassicPayloadsAreLiteralsOrErrors) {
  absl::StatusOr<CompiledFilter> property = CompileFilter(
      "custom_properties.`a'; DROP TABLE Artifact; --`.int_value = 1",
      NodeKind::kExecution, Dialect::kPostgres);
  ASSERT_TRUE(property.ok()) << property.status();
  EXPECT_TRUE(HasStringParam(*property, "a'; DROP TABLE Artifact; --"));
  absl::StatusOr<std::vector<int64_t>> ids =
      pg_->MatchingIds(NodeKind::kExecution, *property);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_TRUE(ids->empty());

  for (absl::string_view filter :
       {"id = 1; DROP TABLE Artifact", "id = 1 OR 1=1 --", "name = 'a' -- '",
        "id = 1 UNION SELECT 1"}) {
    absl::StatusOr<CompiledFilter> result =
        CompileFilter(filter, NodeKind::kArtifact, Dialect::kPostgres);
    if (result.ok()) {
      EXPECT_FALSE(absl::StrContains(result->sql, ";"));
      EXPECT_FALSE(absl::StrContains(result->sql, "UNION"));
      EXPECT_TRUE(pg_->MatchingIds(NodeKind::kArtifact, *result).ok());
    } else {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  ExpectUnchanged();
}

}  // namespace
}  // namespace mlmdx::query
