// File: query/filter_test.cc
// -----------------------------------------------------------------------------
//
// Unit tests of CompileFilter that golden files cannot express: the exact
// error layout, the shape of the SQL and its parameters, and the resource
// limits (which must fail fast, before any deep recursion).

#include "query/filter.h"

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query/testing/schema_db.h"

namespace mlmdx::query {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Repeat(absl::string_view text, int times) {
  std::string out;
  out.reserve(text.size() * times);
  for (int i = 0; i < times; ++i) absl::StrAppend(&out, text);
  return out;
}

// Expects INVALID_ARGUMENT containing `what`, within one second.
void ExpectFastError(absl::string_view filter, absl::string_view what,
                     const FilterLimits& limits = {}) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CompiledFilter> result =
      CompileFilter(filter, NodeKind::kArtifact, Dialect::kSqlite, limits);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr(std::string(what)));
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  // The message stays small whatever the size of the query.
  EXPECT_LT(result.status().message().size(), 400u);
}

TEST(CompileFilterTest, ErrorHasLineColumnAndCaret) {
  absl::StatusOr<CompiledFilter> result =
      CompileFilter("a == 'a'", NodeKind::kArtifact);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "Invalid `filter_query`: Syntax error: Unexpected \"=\" at line 1, "
            "column 4\n"
            "a == 'a'\n"
            "   ^");
}

TEST(CompileFilterTest, ErrorOnSecondLinePointsIntoThatLine) {
  absl::StatusOr<CompiledFilter> result =
      CompileFilter("id = 1 AND\n  bogus = 2", NodeKind::kContext);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "Invalid `filter_query`: Unrecognized name: bogus at line 2, "
            "column 3\n"
            "  bogus = 2\n"
            "  ^");
}

TEST(CompileFilterTest, ErrorOnLongLineShowsAWindow) {
  const std::string filter = absl::StrCat(Repeat("id = 1 AND ", 50), "x = 1");
  absl::StatusOr<CompiledFilter> result =
      CompileFilter(filter, NodeKind::kArtifact);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr("Unrecognized name: x at line 1, column 551\n..."));
  EXPECT_THAT(std::string(result.status().message()), testing::EndsWith("^"));
}

TEST(CompileFilterTest, ErrorMessageStaysSmallForHugeNames) {
  const std::string name(16000, 'n');
  for (const std::string& filter :
       {absl::StrCat(name, " = 1"), absl::StrCat("id = 1 ", name),
        absl::StrCat("properties.p.", name, " = 1")}) {
    absl::StatusOr<CompiledFilter> result =
        CompileFilter(filter, NodeKind::kArtifact);
    ASSERT_FALSE(result.ok());
    EXPECT_LT(result.status().message().size(), 500u);
  }
}

TEST(CompileFilterTest, EmptyAndBlankFiltersAreInvalid) {
  for (absl::string_view filter : {"", "   ", "\n\t", "-- only a comment"}) {
    absl::StatusOr<CompiledFilter> result =
        CompileFilter(filter, NodeKind::kExecution);
    ASSERT_FALSE(result.ok()) << filter;
    EXPECT_THAT(std::string(result.status().message()),
                HasSubstr("Syntax error: Unexpected end of input"));
  }
}

TEST(CompileFilterTest, SqlSelectsDistinctIdsWithParametersInOrder) {
  absl::StatusOr<CompiledFilter> result = CompileFilter(
      "name = 'n' AND properties.`p q`.int_value > 3 AND type = 't' AND "
      "state = LIVE AND contexts_a.type = 'c'",
      NodeKind::kArtifact);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->sql,
              StartsWith("SELECT DISTINCT table_0.id AS id FROM Artifact AS "
                         "table_0 JOIN ArtifactProperty AS table_1 ON "
                         "table_1.artifact_id = table_0.id AND table_1.name = "
                         "? AND table_1.is_custom_property = 0 JOIN Type AS "
                         "table_2 ON table_2.id = table_0.type_id"));
  EXPECT_THAT(result->sql, HasSubstr("JOIN Type AS table_3_type ON "
                                     "table_3_type.id = table_3.type_id"));
  // Join parameters come first, then the WHERE clause's, in text order.
  EXPECT_THAT(result->params,
              ElementsAre(SqlParam("p q"), SqlParam("n"), SqlParam(int64_t{3}),
                          SqlParam("t"), SqlParam(int64_t{2}), SqlParam("c")));
  EXPECT_EQ(std::count(result->sql.begin(), result->sql.end(), '?'),
            static_cast<long>(result->params.size()));
}

TEST(CompileFilterTest, BooleansAndNumbersAreBound) {
  absl::StatusOr<CompiledFilter> result = CompileFilter(
      "properties.b.bool_value = TRUE AND properties.d.double_value > -1.5",
      NodeKind::kContext);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->params,
              ElementsAre(SqlParam("b"), SqlParam("d"), SqlParam(int64_t{1}),
                          SqlParam(-1.5)));
}

TEST(CompileFilterTest, PostgresSqlCastsParametersWithTheSameValues) {
  const absl::string_view filter =
      "properties.`p q`.int_value * 2 > 1.5 AND name LIKE 'a%' AND TRUE";
  absl::StatusOr<CompiledFilter> pg =
      CompileFilter(filter, NodeKind::kArtifact, Dialect::kPostgres);
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_EQ(pg->sql,
            "SELECT DISTINCT table_0.id AS id FROM Artifact AS table_0 JOIN "
            "ArtifactProperty AS table_1 ON table_1.artifact_id = table_0.id "
            "AND table_1.name = CAST(? AS TEXT) AND "
            "table_1.is_custom_property = FALSE WHERE "
            "((((CAST(table_1.int_value AS NUMERIC) * CAST(? AS BIGINT)) > "
            "CAST(? AS DOUBLE PRECISION)) AND ((table_0.name COLLATE \"C\" "
            "ILIKE CAST(? AS TEXT) ESCAPE '') AND (CAST(? AS BIGINT) <> 0))))");
  absl::StatusOr<CompiledFilter> sqlite =
      CompileFilter(filter, NodeKind::kArtifact, Dialect::kSqlite);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  EXPECT_EQ(sqlite->sql,
            "SELECT DISTINCT table_0.id AS id FROM Artifact AS table_0 JOIN "
            "ArtifactProperty AS table_1 ON table_1.artifact_id = table_0.id "
            "AND table_1.name = ? AND table_1.is_custom_property = 0 WHERE "
            "((((table_1.int_value * ?) > ?) AND ((table_0.name LIKE ?) AND "
            "?)))");
  EXPECT_EQ(pg->params, sqlite->params);
  EXPECT_THAT(pg->params,
              ElementsAre(SqlParam("p q"), SqlParam(int64_t{2}), SqlParam(1.5),
                          SqlParam("a%"), SqlParam(int64_t{1})));
}

TEST(CompileFilterTest, PostgresSqlGuardsDivisionAndTypesNulls) {
  absl::StatusOr<CompiledFilter> pg = CompileFilter(
      "custom_properties.b.bool_value = FALSE OR name NOT BETWEEN 'a' AND 'b' "
      "OR -NULL / id IS NULL",
      NodeKind::kExecution, Dialect::kPostgres);
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_THAT(pg->sql, HasSubstr("is_custom_property = TRUE"));
  EXPECT_THAT(pg->sql,
              HasSubstr("(table_0.name COLLATE \"C\" NOT BETWEEN CAST(? AS "
                        "TEXT) AND CAST(? AS TEXT))"));
  EXPECT_THAT(pg->sql, HasSubstr("(CAST((- CAST(NULL AS NUMERIC)) AS DOUBLE "
                                 "PRECISION)) / NULLIF(table_0.id, 0)"));
}

TEST(CompileFilterTest, SameAliasIsOneJoin) {
  absl::StatusOr<CompiledFilter> result = CompileFilter(
      "contexts_a.name = 'x' OR contexts_a.id = 1 OR type = 'a' OR type = 'b'",
      NodeKind::kExecution);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->sql, HasSubstr("table_2"));
  EXPECT_THAT(result->sql, Not(HasSubstr("table_3")));
}

// Limits with the length check out of the way, to reach the others.
FilterLimits NoLengthLimit() {
  FilterLimits limits;
  limits.max_query_length = 1 << 30;
  return limits;
}

TEST(CompileFilterLimitsTest, TenThousandNestedParentheses) {
  const std::string filter =
      absl::StrCat(Repeat("(", 10000), "id = 1", Repeat(")", 10000));
  ExpectFastError(filter, "Filter is too long");
  ExpectFastError(filter, "nested too deeply (limit 64) at line 1, column 65",
                  NoLengthLimit());
  ExpectFastError(Repeat("(", 100000), "nested too deeply", NoLengthLimit());
}

TEST(CompileFilterLimitsTest, DeepNotAndUnaryChains) {
  ExpectFastError(absl::StrCat(Repeat("NOT ", 20000), "id = 1"),
                  "nested too deeply", NoLengthLimit());
  ExpectFastError(absl::StrCat("id = ", Repeat("- ", 20000), "1"),
                  "nested too deeply", NoLengthLimit());
  ExpectFastError(absl::StrCat("id = ", Repeat("1 + ", 20000), "1"),
                  "nested too deeply", NoLengthLimit());
  ExpectFastError(Repeat("id IN (", 20000), "nested too deeply",
                  NoLengthLimit());
}

TEST(CompileFilterLimitsTest, NestingUpToTheLimitWorks) {
  const std::string filter =
      absl::StrCat(Repeat("(", 60), "id = 1", Repeat(")", 60));
  EXPECT_TRUE(CompileFilter(filter, NodeKind::kArtifact).ok());
}

TEST(CompileFilterLimitsTest, HundredAliases) {
  std::vector<std::string> terms;
  for (int i = 0; i < 100; ++i) {
    terms.push_back(absl::StrCat("contexts_", i, ".id = ", i));
  }
  ExpectFastError(absl::StrJoin(terms, " AND "), "Too many aliases");
  terms.clear();
  for (int i = 0; i < 100; ++i) {
    terms.push_back(absl::StrCat("custom_properties.p", i, ".int_value = 1"));
  }
  ExpectFastError(absl::StrJoin(terms, " OR "), "Too many aliases");
}

TEST(CompileFilterLimitsTest, SixteenAliasesWork) {
  std::vector<std::string> terms;
  for (int i = 0; i < 16; ++i) {
    terms.push_back(absl::StrCat("contexts_", i, ".id = ", i));
  }
  EXPECT_TRUE(
      CompileFilter(absl::StrJoin(terms, " AND "), NodeKind::kArtifact).ok());
}

std::string InList(int elements) {
  std::vector<std::string> values;
  for (int i = 0; i < elements; ++i) values.push_back(absl::StrCat(i));
  return absl::StrCat("id IN (", absl::StrJoin(values, ", "), ")");
}

TEST(CompileFilterLimitsTest, HundredThousandElementInList) {
  ExpectFastError(InList(100000), "Filter is too long");
  ExpectFastError(InList(100000), "IN list has more than 1000 elements",
                  NoLengthLimit());
}

TEST(CompileFilterLimitsTest, ThousandElementInListRuns) {
  FilterLimits limits;
  limits.max_query_length = 1 << 20;
  absl::StatusOr<CompiledFilter> result = CompileFilter(
      InList(1000), NodeKind::kArtifact, Dialect::kSqlite, limits);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->params.size(), 1000u);
  absl::StatusOr<std::unique_ptr<SchemaDb>> db =
      SchemaDb::Open(EmbeddedSqliteSchema());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_TRUE((*db)->MatchingIds(NodeKind::kArtifact, *result).ok());
}

TEST(CompileFilterLimitsTest, OneMegabyteQuery) {
  ExpectFastError(absl::StrCat("name = '", std::string(1 << 20, 'x'), "'"),
                  "Filter is too long (1048585 bytes, limit 16384)");
}

TEST(CompileFilterLimitsTest, LongOrChainStaysWithinSqliteDepth) {
  // 1500 terms: too deep for SQLite if emitted as one left-deep chain.
  std::vector<std::string> terms;
  for (int i = 0; i < 1500; ++i) terms.push_back(absl::StrCat("id=", i));
  absl::StatusOr<CompiledFilter> result =
      CompileFilter(absl::StrJoin(terms, " OR "), NodeKind::kArtifact);
  ASSERT_TRUE(result.ok()) << result.status();
  absl::StatusOr<std::unique_ptr<SchemaDb>> db =
      SchemaDb::Open(EmbeddedSqliteSchema());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_TRUE((*db)->MatchingIds(NodeKind::kArtifact, *result).ok());
}

TEST(LiteralIdSetTest, RecognisesOnlyLiteralIdFilters) {
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(LiteralIdSet("id = 5"), Ids{5});
  EXPECT_EQ(LiteralIdSet(" 5=id "), Ids{5});
  EXPECT_EQ(LiteralIdSet("id IN (3, 1, 3)"), (Ids{1, 3}));
  EXPECT_EQ(LiteralIdSet("id = 9 OR id IN (2) OR (id = 4)"), (Ids{2, 4, 9}));
  EXPECT_EQ(LiteralIdSet("id = 0"), Ids{0});
  for (const char* other :
       {"id != 5", "id > 5", "id = -5", "id NOT IN (1)", "id = 5 AND id = 6",
        "`id` = 5", "uri = 'x'", "id = 'x'", "id = 1.5", "NOT id = 5",
        "id = 5 OR uri = 'x'", "type_id = 5", "id = 5 AND", "",
        "contexts_a.id = 5"}) {
    EXPECT_EQ(LiteralIdSet(other), std::nullopt) << other;
  }
  FilterLimits limits;
  limits.max_query_length = 5;
  EXPECT_EQ(LiteralIdSet("id = 12345", limits), std::nullopt);
}

}  // namespace
}  // namespace mlmdx::query
