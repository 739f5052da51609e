// File: query/filter_injection_test.cc
// -----------------------------------------------------------------------------
//
// SQL injection tests: hostile string literals and property names must end
// up as bound parameters and never in the SQL text. For each payload and
// template, CompileFilter either fails with INVALID_ARGUMENT or returns SQL
// that (1) holds no quote, semicolon or comment, (2) is byte-identical to the
// SQL for a harmless payload in the same place, (3) binds the payload as a
// parameter, and (4) runs without changing the database.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "query/testing/injection_cases.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {
namespace {

constexpr NodeKind kAllKinds[] = {NodeKind::kArtifact, NodeKind::kExecution,
                                  NodeKind::kContext};

class InjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SchemaDb>> db =
        SchemaDb::Open(EmbeddedSqliteSchema());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Exec(R"sql(
        INSERT INTO Type(id, name, type_kind) VALUES (1, 't', 1), (2, 'c', 2), (3, 'e', 0);
        INSERT INTO Artifact(id, type_id, uri, name) VALUES (1, 1, 'u', 'a');
        INSERT INTO Execution(id, type_id, name) VALUES (1, 3, 'e');
        INSERT INTO Context(id, type_id, name) VALUES (1, 2, 'c');)sql")
                    .ok());
    absl::StatusOr<std::string> schema = db_->SchemaText();
    ASSERT_TRUE(schema.ok());
    schema_ = *schema;
  }

  std::unique_ptr<SchemaDb> db_;
  std::string schema_;
};

TEST_F(InjectionTest, PayloadsNeverReachTheSqlText) {
  int cases = 0;
  int accepted = 0;
  for (const std::string& payload : InjectionPayloads()) {
    for (const InjectionTemplate& t : InjectionTemplates()) {
      ++cases;
      const std::string filter = t.make(payload);
      for (NodeKind kind : kAllKinds) {
        SCOPED_TRACE(
            absl::StrCat("filter: ", filter, " kind ", static_cast<int>(kind)));
        absl::StatusOr<CompiledFilter> result = CompileFilter(filter, kind);
        if (!result.ok()) {
          EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
          continue;
        }
        ++accepted;
        const std::string& sql = result->sql;
        for (absl::string_view bad : {"'", "\"", "`", ";", "--", "/*"}) {
          EXPECT_FALSE(absl::StrContains(sql, bad)) << sql;
        }
        if (t.escaped) {
          EXPECT_TRUE(HasStringParam(*result, payload));
          absl::StatusOr<CompiledFilter> benign =
              CompileFilter(t.make("harmless"), kind);
          ASSERT_TRUE(benign.ok()) << benign.status();
          EXPECT_EQ(sql, benign->sql);
          EXPECT_EQ(result->params.size(), benign->params.size());
        }
        // "table_0.id" is our own text; the identical-SQL check covers it.
        if (payload.size() >= 4 && payload != "table_0.id") {
          EXPECT_FALSE(absl::StrContains(sql, payload)) << sql;
        }
        absl::StatusOr<std::vector<int64_t>> ids =
            db_->MatchingIds(kind, *result);
        EXPECT_TRUE(ids.ok()) << ids.status();
      }
    }
  }
  EXPECT_GE(cases, 200);
  EXPECT_GT(accepted, 100);
  absl::StatusOr<std::string> schema = db_->SchemaText();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(*schema, schema_);
  CompiledFilter all;
  all.sql = "SELECT id FROM Artifact";
  absl::StatusOr<std::vector<int64_t>> rows =
      db_->MatchingIds(NodeKind::kArtifact, all);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
}

TEST_F(InjectionTest, ClassicPayloadsAreLiteralsOrErrors) {
  // Doubled quotes are not an escape: the rest is a second literal.
  absl::StatusOr<CompiledFilter> doubled =
      CompileFilter("name = 'x'' OR 1=1 --'", NodeKind::kArtifact);
  EXPECT_EQ(doubled.status().code(), absl::StatusCode::kInvalidArgument);

  absl::StatusOr<CompiledFilter> escaped =
      CompileFilter("name = \"x\\\" OR 1=1\"", NodeKind::kArtifact);
  ASSERT_TRUE(escaped.ok()) << escaped.status();
  EXPECT_TRUE(HasStringParam(*escaped, "x\" OR 1=1"));
  absl::StatusOr<std::vector<int64_t>> ids =
      db_->MatchingIds(NodeKind::kArtifact, *escaped);
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());

  absl::StatusOr<CompiledFilter> property = CompileFilter(
      "custom_properties.`a'; DROP TABLE Artifact; --`.int_value = 1",
      NodeKind::kExecution);
  ASSERT_TRUE(property.ok()) << property.status();
  EXPECT_TRUE(HasStringParam(*property, "a'; DROP TABLE Artifact; --"));
  EXPECT_TRUE(db_->MatchingIds(NodeKind::kExecution, *property).ok());

  for (absl::string_view filter :
       {"id = 1; DROP TABLE Artifact", "id = 1 OR 1=1 --", "name = 'a' -- '",
        "id = 1 UNION SELECT 1"}) {
    absl::StatusOr<CompiledFilter> result =
        CompileFilter(filter, NodeKind::kArtifact);
    if (result.ok()) {
      EXPECT_FALSE(absl::StrContains(result->sql, ";"));
      EXPECT_FALSE(absl::StrContains(result->sql, "UNION"));
      EXPECT_TRUE(db_->MatchingIds(NodeKind::kArtifact, *result).ok());
    } else {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  absl::StatusOr<std::string> schema = db_->SchemaText();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(*schema, schema_);
}

}  // namespace
}  // namespace mlmdx::query
