#include "tests/postgres_cluster.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace mlmdx::testing {
namespace {

// The newest /usr/lib/postgresql/N/bin holding initdb, or "".
std::string FindBinDir() {
  std::string best;
  int best_version = -1;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
    const std::string bin = entry.path().string() + "/bin";
    const int version = std::atoi(entry.path().filename().c_str());
    if (access((bin + "/initdb").c_str(), X_OK) == 0 &&
        version > best_version) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

PostgresCluster::~PostgresCluster() { Stop(); }

int PostgresCluster::Run(const std::string& command) const {
  const std::string line =
      geteuid() == 0
          ? absl::StrCat("runuser -u postgres -- sh -c '", command, "'")
          : command;
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

absl::Status PostgresCluster::Start() {
  bin_dir_ = FindBinDir();
  if (bin_dir_.empty()) {
    return absl::FailedPreconditionError(
        "PostgreSQL's server programs are not installed (apt-get install "
        "postgresql)");
  }
  char dir_template[] = "/tmp/mlmdx_pg_XXXXXX";
  dir_ = mkdtemp(dir_template);
  if (geteuid() == 0) {
    std::system(absl::StrCat("chown postgres: ", dir_).c_str());
  }
  const std::string log = dir_ + "/setup.log";
  if (Run(absl::StrCat(bin_dir_, "/initdb -D ", dir_, "/data -U ", user_,
                       " --auth=trust -E UTF8 --no-sync >", log, " 2>&1")) !=
      0) {
    return absl::InternalError(absl::StrCat("initdb failed: ", ReadFile(log)));
  }
  // A port can be taken between the probe and the start: try a few.
  for (int attempt = 0; attempt < 5 && !running_; ++attempt) {
    port_ = FreeLoopbackPort();
    running_ = StartServer(log) == 0;
  }
  if (!running_) {
    return absl::InternalError(
        absl::StrCat("pg_ctl start failed: ", ReadFile(log),
                     ReadFile(dir_ + "/server.log")));
  }
  return absl::OkStatus();
}

int PostgresCluster::StartServer(const std::string& log) const {
  return Run(absl::StrCat(bin_dir_, "/pg_ctl -D ", dir_, "/data -l ", dir_,
                          "/server.log -w -t 30 -o \"-p ", port_, " -k ", dir_,
                          " -c listen_addresses=127.0.0.1",
                          options_.durable
                              ? " -c fsync=on -c synchronous_commit=on"
                              : " -c fsync=off -c synchronous_commit=off",
                          "\" start >>", log, " 2>&1"));
}

absl::Status PostgresCluster::CrashAndRestart() {
  if (!running_) return absl::FailedPreconditionError("cluster not running");
  const std::string log = dir_ + "/setup.log";
  if (Run(absl::StrCat(bin_dir_, "/pg_ctl -D ", dir_,
                       "/data -m immediate -w stop >>", log, " 2>&1")) != 0) {
    return absl::InternalError(
        absl::StrCat("pg_ctl stop failed: ", ReadFile(log)));
  }
  if (StartServer(log) != 0) {
    running_ = false;
    return absl::InternalError(
        absl::StrCat("pg_ctl start failed: ", ReadFile(log),
                     ReadFile(dir_ + "/server.log")));
  }
  return absl::OkStatus();
}

void PostgresCluster::Stop() {
  if (running_) {
    Run(absl::StrCat(bin_dir_, "/pg_ctl -D ", dir_,
                     "/data -m immediate -w stop >/dev/null 2>&1"));
    running_ = false;
  }
  if (!dir_.empty()) {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
    dir_.clear();
  }
}

void PostgresCluster::StopDetached(const std::string& dir) {
  PostgresCluster cluster;
  cluster.bin_dir_ = FindBinDir();
  cluster.dir_ = dir;
  cluster.running_ = !cluster.bin_dir_.empty();
  cluster.Stop();
}

std::string PostgresCluster::UriBase() const {
  return absl::StrCat("postgresql://", user_, "@127.0.0.1:", port_);
}

std::string PostgresCluster::ConnInfo(const std::string& dbname) const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=", user_,
                      " dbname=", dbname, " connect_timeout=5");
}

}  // namespace mlmdx::testing
