// File: tests/postgres_cluster.h
// -----------------------------------------------------------------------------
//
// A throwaway PostgreSQL server for tests: initdb into a fresh temporary
// directory, pg_ctl start on a free loopback port (TCP on 127.0.0.1 and a
// socket in the same directory), trust authentication for one superuser,
// fsync and synchronous_commit off unless asked for a durable cluster;
// stopped (immediately) and deleted by Stop() or the destructor.
// Nothing assumes a server that is already running. Run as root (as CI
// does), the cluster belongs to the `postgres` system user, since initdb
// refuses root.
//
// Example:
//
//   PostgresCluster cluster;
//   ASSERT_TRUE(cluster.Start().ok());
//   PostgresOptions options;
//   options.conninfo = cluster.ConnInfo("postgres");
//
// Thread-safety: not thread-safe.

#ifndef MLMDX_TESTS_POSTGRES_CLUSTER_H_
#define MLMDX_TESTS_POSTGRES_CLUSTER_H_

#include <string>

#include "absl/status/status.h"

namespace mlmdx::testing {

struct PostgresClusterOptions {
  // Commits wait for the WAL to reach the disk (fsync=on,
  // synchronous_commit=on, PostgreSQL's defaults), as on a production
  // server. Off by default: tests want speed, and a throwaway cluster has
  // nothing to lose in a crash. Benchmarks of writes turn it on, or they
  // would flatter PostgreSQL against a durable SQLite.
  bool durable = false;
};

class PostgresCluster {
 public:
  explicit PostgresCluster(PostgresClusterOptions options = {})
      : options_(options) {}
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;
  ~PostgresCluster();

  // FAILED_PRECONDITION when PostgreSQL's server programs are not installed
  // (scripts/install-deps.sh installs them); INTERNAL when initdb or
  // pg_ctl fails (the message has their log).
  absl::Status Start();
  // pg_ctl stop -m immediate, then the directory is removed.
  void Stop();
  // Stops the server as a crash would (-m immediate: no checkpoint, every
  // connection cut), then starts it again on the same port and data, which
  // it recovers from its WAL. Returns once it accepts connections.
  absl::Status CrashAndRestart();
  // Leaves the cluster running after this object is gone, for a test
  // fixture that outlives one process; StopDetached(dir()) ends it.
  void Detach() {
    running_ = false;
    dir_.clear();
  }
  // Stops and removes a detached cluster by its directory.
  static void StopDetached(const std::string& dir);

  // The cluster's directory (data, socket, logs).
  const std::string& dir() const { return dir_; }
  // postgresql://USER@127.0.0.1:PORT: append "/DBNAME" for a database.
  std::string UriBase() const;

  // A libpq connection string for `dbname` as the cluster's superuser.
  std::string ConnInfo(const std::string& dbname) const;
  int port() const { return port_; }
  const std::string& user() const { return user_; }

 private:
  // Runs `command` (as the cluster's owner when running as root); returns
  // its exit status.
  int Run(const std::string& command) const;
  // pg_ctl start on port_, appending its output to `log`; its exit status.
  int StartServer(const std::string& log) const;

  PostgresClusterOptions options_;
  std::string bin_dir_;
  std::string dir_;
  std::string user_ = "mlmdx";
  int port_ = 0;
  bool running_ = false;
};

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_POSTGRES_CLUSTER_H_
