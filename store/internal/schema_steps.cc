#include "store/internal/schema_steps.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "migrations/migrations.h"
#include "util/status_macros.h"

namespace mlmdx::store::internal {
namespace {

constexpr absl::string_view kStepsPrefix = "sqlite/steps/";
constexpr absl::string_view kUpSuffix = ".up.sql";
constexpr absl::string_view kDownSuffix = ".down.sql";

enum class Direction { kUp, kDown };

// The script of step `version` ("NNNN_*.up.sql" or "NNNN_*.down.sql").
absl::StatusOr<absl::string_view> StepScript(int64_t version,
                                             Direction direction) {
  const absl::string_view suffix =
      direction == Direction::kUp ? kUpSuffix : kDownSuffix;
  for (const migrations::SqlFile& file : migrations::AllSqlFiles()) {
    if (!absl::StartsWith(file.name, kStepsPrefix) ||
        !absl::EndsWith(file.name, suffix)) {
      continue;
    }
    const absl::string_view base = file.name.substr(kStepsPrefix.size());
    int64_t step = 0;
    if (base.size() < 5 || base[4] != '_' ||
        !absl::SimpleAtoi(base.substr(0, 4), &step)) {
      return absl::InternalError(
          absl::StrCat("bad migration step file name ", file.name));
    }
    if (step == version) return file.sql;
  }
  return absl::InternalError(absl::StrCat(
      "no ", direction == Direction::kUp ? "upgrade" : "downgrade",
      " script for MLMD schema step ", version, " in ", kStepsPrefix));
}

// Keeps the code of `status` and says which step failed; the transaction
// rolls back, so the database is as before.
absl::Status StepError(const absl::Status& status, int64_t from, int64_t to) {
  return absl::Status(
      status.code(),
      absl::StrCat("migrating the MLMD schema from version ", from, " to ", to,
                   " failed, the database is unchanged: ", status.message()));
}

absl::Status RecordVersion(Connection& conn, int64_t version) {
  return conn
      .Execute("UPDATE MLMDEnv SET schema_version = ?",
               {SqlValue::Int(version)})
      .status();
}

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

}  // namespace

absl::Status UpgradeSqliteSchema(Connection& conn, int64_t from_version,
                                 int64_t to_version) {
  MLMDX_RETURN_IF_ERROR(DropMlmdxObjects(conn));
  for (int64_t version = from_version + 1; version <= to_version; ++version) {
    const absl::Status status = [&]() -> absl::Status {
      MLMDX_ASSIGN_OR_RETURN(absl::string_view script,
                             StepScript(version, Direction::kUp));
      MLMDX_RETURN_IF_ERROR(conn.ExecuteScript(script));
      return RecordVersion(conn, version);
    }();
    if (!status.ok()) return StepError(status, version - 1, version);
  }
  return absl::OkStatus();
}

absl::Status DowngradeSqliteSchema(Connection& conn, int64_t from_version,
                                   int64_t to_version) {
  MLMDX_RETURN_IF_ERROR(DropMlmdxObjects(conn));
  for (int64_t version = from_version; version > to_version; --version) {
    const absl::Status status = [&]() -> absl::Status {
      MLMDX_ASSIGN_OR_RETURN(absl::string_view script,
                             StepScript(version, Direction::kDown));
      MLMDX_RETURN_IF_ERROR(conn.ExecuteScript(script));
      // Version 0 has no MLMDEnv: step 1's downgrade dropped it.
      if (version - 1 == 0) return absl::OkStatus();
      return RecordVersion(conn, version - 1);
    }();
    if (!status.ok()) return StepError(status, version, version - 1);
  }
  return absl::OkStatus();
}

absl::Status DropMlmdxObjects(Connection& conn) {
  MLMDX_ASSIGN_OR_RETURN(RecordSet objects,
                         conn.Query("SELECT type, name FROM sqlite_master "
                                    "WHERE type IN ('index', 'table') "
                                    "AND name LIKE 'mlmdx\\_%' ESCAPE '\\' "
                                    "ORDER BY name",
                                    {}));
  for (const std::vector<SqlValue>& object : objects.rows) {
    const bool is_table = object[0].AsString() == "table";
    MLMDX_RETURN_IF_ERROR(conn.ExecuteScript(absl::StrCat(
        is_table ? "DROP TABLE IF EXISTS " : "DROP INDEX IF EXISTS ",
        QuoteIdentifier(object[1].AsString()), ";")));
  }
  return absl::OkStatus();
}

}  // namespace mlmdx::store::internal
