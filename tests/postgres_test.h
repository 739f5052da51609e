// File: tests/postgres_test.h
// -----------------------------------------------------------------------------
//
// A GoogleTest fixture base for suites that need PostgreSQL: one throwaway
// cluster (tests/postgres_cluster.h) per suite, started before its first
// test and removed after its last. A cluster that cannot start fails every
// test of the suite with the reason; nothing is skipped.
//
// Example:
//
//   class MyTest : public PostgresClusterTest {};
//   TEST_F(MyTest, Connects) {
//     options.conninfo = cluster().ConnInfo("postgres");
//   }

#ifndef MLMDX_TESTS_POSTGRES_TEST_H_
#define MLMDX_TESTS_POSTGRES_TEST_H_

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/postgres_cluster.h"

namespace mlmdx::testing {

class PostgresClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new PostgresCluster();
    started_ = cluster_->Start();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(started_.ok()) << started_; }

  static PostgresCluster& cluster() { return *cluster_; }

 private:
  static inline PostgresCluster* cluster_ = nullptr;
  static inline absl::Status started_;
};

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_POSTGRES_TEST_H_
