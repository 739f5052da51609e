// mlmdx_test_postgres: starts or stops the PostgreSQL cluster that the
// PostgreSQL runs of the end-to-end suites share (a CTest fixture), so that
// each test process creates a database in it instead of a cluster of its own.
//
//   mlmdx_test_postgres start STATE_DIR   # writes STATE_DIR/uri, .../dir
//   mlmdx_test_postgres stop STATE_DIR
//
// tests/test_server.h reads STATE_DIR/uri when MLMDX_TEST_POSTGRES=STATE_DIR.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/postgres_cluster.h"

namespace {

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: mlmdx_test_postgres start|stop STATE_DIR\n";
    return 2;
  }
  const std::string verb = argv[1];
  const std::string state = argv[2];
  std::error_code error;
  if (verb == "start") {
    // A cluster left by an interrupted run goes first.
    const std::string old_dir = ReadLine(state + "/dir");
    if (!old_dir.empty())
      mlmdx::testing::PostgresCluster::StopDetached(old_dir);
    std::filesystem::remove_all(state, error);
    std::filesystem::create_directories(state);
    mlmdx::testing::PostgresCluster cluster;
    if (absl::Status status = cluster.Start(); !status.ok()) {
      std::cerr << "mlmdx_test_postgres: " << status << "\n";
      return 1;
    }
    std::ofstream(state + "/dir") << cluster.dir() << "\n";
    std::ofstream(state + "/uri") << cluster.UriBase() << "\n";
    std::cout << "PostgreSQL at " << cluster.UriBase() << " (" << cluster.dir()
              << ")\n";
    cluster.Detach();
    return 0;
  }
  if (verb == "stop") {
    const std::string dir = ReadLine(state + "/dir");
    if (!dir.empty()) mlmdx::testing::PostgresCluster::StopDetached(dir);
    std::filesystem::remove_all(state, error);
    return 0;
  }
  std::cerr << "mlmdx_test_postgres: unknown verb '" << verb << "'\n";
  return 2;
}
