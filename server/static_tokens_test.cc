#include "server/static_tokens.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mlmdx::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const CallerIdentity& Find(const StaticTokenTable& table,
                           absl::string_view token) {
  auto it = table.find(TokenDigest(token));
  EXPECT_NE(it, table.end()) << token;
  static const CallerIdentity kMissing;
  return it == table.end() ? kMissing : it->second;
}

TEST(StaticTokensTest, ParsesQuotedNamespacesAndShortLines) {
  absl::StatusOr<StaticTokenTable> table = ParseStaticTokens(
      "# comment\n"
      "\n"
      "t1,alice,u-1,\"team-a, team-b\"\r\n"
      "t2,admin,u-0,*\n"
      "t3,bob\n"
      "\"t,4\",\"carol \"\"c\"\"\",u-3,team-c\n",
      "tokens.csv");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 4u);
  const CallerIdentity& alice = Find(*table, "t1");
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.uid, "u-1");
  EXPECT_THAT(alice.namespaces, ElementsAre("team-a", "team-b"));
  EXPECT_FALSE(alice.all_namespaces);
  EXPECT_EQ(alice.method, AuthMethod::kStaticToken);
  EXPECT_TRUE(Find(*table, "t2").all_namespaces);
  EXPECT_TRUE(Find(*table, "t2").MayAccess("anything"));
  const CallerIdentity& bob = Find(*table, "t3");
  EXPECT_EQ(bob.uid, "");
  EXPECT_TRUE(bob.namespaces.empty());
  EXPECT_FALSE(bob.MayAccess("team-a"));
  EXPECT_EQ(Find(*table, "t,4").user, "carol \"c\"");
  EXPECT_EQ(table->count(TokenDigest("t4")), 0u);
}

TEST(StaticTokensTest, MalformedLinesNameFileAndLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"t1,alice\nt2,bob,u,\"team\n",
                "tokens.csv line 2: "
                "unterminated quote"},
           Case{"t1,alice\n\n,bob\n", "tokens.csv line 3: the token"},
           Case{"t1,\n", "tokens.csv line 1: the user"},
           Case{"t1,a\nt1,b\n", "tokens.csv line 2: this token is already"},
           Case{"t1,a,u,team-a,team-b\n", "tokens.csv line 1: 5 columns"},
           Case{"t1,\"a\"x,u\n", "tokens.csv line 1: unterminated quote"},
       }) {
    absl::StatusOr<StaticTokenTable> table =
        ParseStaticTokens(c.text, "tokens.csv");
    ASSERT_FALSE(table.ok()) << c.text;
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(table.status().message(), HasSubstr(c.message)) << c.text;
  }
}

}  // namespace
}  // namespace mlmdx::server
