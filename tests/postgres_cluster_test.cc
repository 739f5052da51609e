// The throwaway cluster's durability settings: tests run without fsync,
// write benchmarks with PostgreSQL's durable defaults.

#include "tests/postgres_cluster.h"

#include <libpq-fe.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace mlmdx::testing {
namespace {

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};

// SHOW `setting` on the cluster's `postgres` database ("" on errors, which
// fail the test).
std::string Show(const PostgresCluster& cluster, const std::string& setting) {
  std::unique_ptr<PGconn, PgConnDeleter> conn(
      PQconnectdb(cluster.ConnInfo("postgres").c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    ADD_FAILURE() << PQerrorMessage(conn.get());
    return "";
  }
  std::unique_ptr<PGresult, PgResultDeleter> result(
      PQexec(conn.get(), ("SHOW " + setting).c_str()));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << PQresultErrorMessage(result.get());
    return "";
  }
  return PQgetvalue(result.get(), 0, 0);
}

TEST(PostgresClusterOptionsTest, TestClusterSkipsFsync) {
  PostgresCluster cluster;
  const absl::Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_EQ(Show(cluster, "fsync"), "off");
  EXPECT_EQ(Show(cluster, "synchronous_commit"), "off");
}

TEST(PostgresClusterOptionsTest, DurableClusterSyncsEveryCommit) {
  PostgresClusterOptions options;
  options.durable = true;
  PostgresCluster cluster(options);
  const absl::Status started = cluster.Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_EQ(Show(cluster, "fsync"), "on");
  EXPECT_EQ(Show(cluster, "synchronous_commit"), "on");
}

}  // namespace
}  // namespace mlmdx::testing
