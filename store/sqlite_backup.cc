#include "store/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "util/status_macros.h"

namespace mlmdx::store {
namespace {

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

struct BackupFinisher {
  void operator()(sqlite3_backup* backup) const {
    sqlite3_backup_finish(backup);
  }
};

absl::StatusOr<Database> OpenDatabase(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // The handle exists even when opening failed and must be closed.
  Database db(raw);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("cannot open SQLite database '", path,
                     "': ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  // A reader in WAL mode waits only while another connection recovers the
  // log; a writer's lock never holds it up.
  sqlite3_busy_timeout(raw, 10000);
  return db;
}

absl::Status Execute(sqlite3* db, const char* sql, const std::string& path) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  const std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  if ((rc & 0xff) == SQLITE_NOTADB) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is not a SQLite database: ", message));
  }
  return absl::UnavailableError(
      absl::StrCat("'", path, "': ", sql, ": ", message));
}

// The single-row, single-column text answer of `sql` (for PRAGMAs).
absl::StatusOr<std::string> QueryText(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat(sql, ": ", sqlite3_errmsg(db)));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw,
                                                             &sqlite3_finalize);
  std::string text;
  int rc = sqlite3_step(stmt.get());
  while (rc == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(stmt.get(), 0);
    if (!text.empty()) text += "\n";
    text += value != nullptr ? reinterpret_cast<const char*>(value) : "";
    rc = sqlite3_step(stmt.get());
  }
  if (rc != SQLITE_DONE) {
    return absl::UnavailableError(absl::StrCat(sql, ": ", sqlite3_errmsg(db)));
  }
  return text;
}

absl::Status SyncPath(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open '", path, "': ", std::strerror(errno)));
  }
  const int rc = fsync(fd);
  const int saved_errno = errno;
  close(fd);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot sync '", path, "': ", std::strerror(saved_errno)));
  }
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Copies the source, read inside `source`'s open read transaction, into the
// empty database file `temporary_path`, and checks the copy.
absl::StatusOr<BackupStats> CopyInto(sqlite3* source,
                                     const std::string& temporary_path,
                                     const BackupOptions& options) {
  MLMDX_ASSIGN_OR_RETURN(
      Database destination,
      OpenDatabase(temporary_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                       SQLITE_OPEN_NOMUTEX));
  std::unique_ptr<sqlite3_backup, BackupFinisher> backup(
      sqlite3_backup_init(destination.get(), "main", source, "main"));
  if (backup == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "cannot start the backup: ", sqlite3_errmsg(destination.get())));
  }
  const int pages_per_step = options.pages_per_step > 0
                                 ? options.pages_per_step
                                 : BackupOptions().pages_per_step;
  for (;;) {
    const int rc = sqlite3_backup_step(backup.get(), pages_per_step);
    if (options.progress) {
      const int64_t total = sqlite3_backup_pagecount(backup.get());
      options.progress(total - sqlite3_backup_remaining(backup.get()), total);
    }
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      // Only the destination can be locked (nothing else opens it), and
      // only briefly; the source's read transaction is already held.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    return absl::UnavailableError(absl::StrCat(
        "backup to '", temporary_path, "' failed: ", sqlite3_errstr(rc)));
  }
  BackupStats stats;
  stats.pages = sqlite3_backup_pagecount(backup.get());
  const int finished = sqlite3_backup_finish(backup.release());
  if (finished != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("backup to '", temporary_path,
                     "' failed: ", sqlite3_errmsg(destination.get())));
  }
  MLMDX_ASSIGN_OR_RETURN(std::string page_size,
                         QueryText(destination.get(), "PRAGMA page_size"));
  stats.page_size = std::atoll(page_size.c_str());
  MLMDX_ASSIGN_OR_RETURN(
      std::string integrity,
      QueryText(destination.get(), "PRAGMA integrity_check"));
  if (integrity != "ok") {
    return absl::DataLossError(absl::StrCat(
        "the copy fails PRAGMA integrity_check: ", integrity.substr(0, 500)));
  }
  // Close before syncing, so that every page is in the file.
  destination.reset();
  MLMDX_RETURN_IF_ERROR(SyncPath(temporary_path, O_RDONLY));
  return stats;
}

}  // namespace

absl::StatusOr<BackupStats> BackupSqliteDatabase(
    const std::string& source_path, const std::string& destination_path,
    const BackupOptions& options) {
  struct stat source_stat;
  if (stat(source_path.c_str(), &source_stat) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot back up '", source_path, "': ", std::strerror(errno)));
  }
  struct stat destination_stat;
  if (stat(destination_path.c_str(), &destination_stat) == 0 &&
      destination_stat.st_dev == source_stat.st_dev &&
      destination_stat.st_ino == source_stat.st_ino) {
    return absl::InvalidArgumentError(
        absl::StrCat("the backup destination '", destination_path,
                     "' is the database '", source_path, "' itself"));
  }

  MLMDX_ASSIGN_OR_RETURN(
      Database source,
      OpenDatabase(source_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX));
  // One read transaction for the whole copy: every step reads the same
  // snapshot, so commits made meanwhile neither restart the copy nor show
  // up in it half-way.
  MLMDX_RETURN_IF_ERROR(Execute(source.get(), "BEGIN", source_path));
  absl::Cleanup end_read = [&source] {
    sqlite3_exec(source.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  };
  MLMDX_RETURN_IF_ERROR(
      Execute(source.get(), "SELECT count(*) FROM sqlite_master", source_path));

  std::string temporary_path = destination_path + ".tmp-XXXXXX";
  const int fd = mkstemp(temporary_path.data());
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot create a file next to '",
                                               destination_path,
                                               "': ", std::strerror(errno)));
  }
  close(fd);
  absl::Cleanup remove_temporary = [&temporary_path] {
    unlink(temporary_path.c_str());
    unlink((temporary_path + "-journal").c_str());
  };
  MLMDX_ASSIGN_OR_RETURN(BackupStats stats,
                         CopyInto(source.get(), temporary_path, options));
  if (rename(temporary_path.c_str(), destination_path.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot rename '", temporary_path, "' to '",
                     destination_path, "': ", std::strerror(errno)));
  }
  std::move(remove_temporary).Cancel();
  // The rename is durable once the directory is.
  MLMDX_RETURN_IF_ERROR(
      SyncPath(DirectoryOf(destination_path), O_RDONLY | O_DIRECTORY));
  return stats;
}

}  // namespace mlmdx::store
