#include "store/schema.h"

#include <array>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "migrations/migrations.h"
#include "util/status_macros.h"

namespace mlmdx::store {
namespace {

// The tables of schema version 10 with the columns MLMD probes for each.
struct TableProbe {
  absl::string_view table;
  absl::string_view columns;
};
constexpr std::array<TableProbe, 15> kTables = {{
    {"Type",
     "id, name, version, type_kind, description, input_type, output_type, "
     "external_id"},
    {"ParentType", "type_id, parent_type_id"},
    {"TypeProperty", "type_id, name, data_type"},
    {"Artifact",
     "id, type_id, uri, state, name, external_id, create_time_since_epoch, "
     "last_update_time_since_epoch"},
    {"ArtifactProperty",
     "artifact_id, name, is_custom_property, int_value, double_value, "
     "string_value, byte_value, proto_value, bool_value"},
    {"Execution",
     "id, type_id, last_known_state, name, external_id, "
     "create_time_since_epoch, last_update_time_since_epoch"},
    {"ExecutionProperty",
     "execution_id, name, is_custom_property, int_value, double_value, "
     "string_value, byte_value, proto_value, bool_value"},
    {"Context",
     "id, type_id, name, external_id, create_time_since_epoch, "
     "last_update_time_since_epoch"},
    {"ContextProperty",
     "context_id, name, is_custom_property, int_value, double_value, "
     "string_value, byte_value, proto_value, bool_value"},
    {"ParentContext", "context_id, parent_context_id"},
    {"Event", "id, artifact_id, execution_id, type, milliseconds_since_epoch"},
    {"EventPath", "event_id, is_index_step, step_index, step_key"},
    {"Association", "id, context_id, execution_id"},
    {"Attribution", "id, context_id, artifact_id"},
    {"MLMDEnv", "schema_version"},
}};

// MLMD's hidden base types, in MLMD's insertion order (ids 1-9 in a fresh
// database). Type kinds: 1 artifact, 0 execution.
struct SimpleType {
  absl::string_view name;
  int type_kind;
};
constexpr std::array<SimpleType, 9> kSimpleTypes = {{
    {"mlmd.Dataset", 1},
    {"mlmd.Model", 1},
    {"mlmd.Metrics", 1},
    {"mlmd.Statistics", 1},
    {"mlmd.Train", 0},
    {"mlmd.Transform", 0},
    {"mlmd.Process", 0},
    {"mlmd.Evaluate", 0},
    {"mlmd.Deploy", 0},
}};

absl::StatusOr<absl::string_view> CreateScript(Dialect dialect) {
  const std::string wanted =
      absl::StrCat(dialect == Dialect::kSqlite ? "sqlite/" : "postgresql/",
                   "0010_mlmd_schema.up.sql");
  for (const migrations::SqlFile& file : migrations::AllSqlFiles()) {
    if (file.name == wanted) return file.sql;
  }
  return absl::InternalError(absl::StrCat("missing migration ", wanted));
}

// How many of the v10 tables exist with all of their columns.
absl::StatusOr<int> CountReadableTables(Connection& conn) {
  int readable = 0;
  for (const TableProbe& probe : kTables) {
    MLMDX_ASSIGN_OR_RETURN(bool exists, conn.TableExists(probe.table));
    if (!exists) continue;
    const absl::StatusOr<RecordSet> rows =
        conn.Query(absl::StrCat("SELECT ", probe.columns, " FROM ", probe.table,
                                " LIMIT 1"),
                   {});
    if (rows.ok()) ++readable;
  }
  return readable;
}

absl::Status SeedSimpleTypes(Connection& conn) {
  for (const SimpleType& type : kSimpleTypes) {
    const std::string name(type.name);
    MLMDX_ASSIGN_OR_RETURN(
        RecordSet found,
        conn.Query("SELECT id FROM Type WHERE name = ? AND version IS NULL "
                   "AND type_kind = ?",
                   {SqlValue::Text(name), SqlValue::Int(type.type_kind)}));
    if (!found.rows.empty()) continue;
    MLMDX_RETURN_IF_ERROR(
        conn.Insert("INSERT INTO Type(name, type_kind) VALUES (?, ?)",
                    {SqlValue::Text(name), SqlValue::Int(type.type_kind)})
            .status());
  }
  return absl::OkStatus();
}

absl::Status InitInTransaction(Connection& conn, Dialect dialect,
                               const MigrationOptions& options) {
  MLMDX_ASSIGN_OR_RETURN(int64_t version, ReadSchemaVersion(conn));
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "MLMD database version ", version, " is greater than library version ",
        kSchemaVersion,
        ". Please upgrade the library to use the given database in order "
        "to prevent potential data loss."));
  }
  if (version >= 0 && version < kSchemaVersion) {
    if (!options.enable_upgrade) {
      return absl::FailedPreconditionError(absl::StrCat(
          "MLMD database version ", version, " is older than library version ",
          kSchemaVersion,
          ". Schema migration is disabled. Please start the server with "
          "--enable_database_upgrade to upgrade the database."));
    }
    return absl::UnimplementedError(
        absl::StrCat("upgrading an MLMD database from schema version ", version,
                     " is not supported by this build; only version ",
                     kSchemaVersion, " databases can be opened"));
  }
  MLMDX_ASSIGN_OR_RETURN(int readable, CountReadableTables(conn));
  if (readable == 0) {
    MLMDX_ASSIGN_OR_RETURN(absl::string_view script, CreateScript(dialect));
    MLMDX_RETURN_IF_ERROR(conn.ExecuteScript(script));
  } else if (readable != static_cast<int>(kTables.size())) {
    return absl::AbortedError(absl::StrCat(
        "only ", readable, " of the ", kTables.size(),
        " MLMD tables exist; another client may be creating the schema, "
        "retry"));
  }
  return SeedSimpleTypes(conn);
}

}  // namespace

absl::StatusOr<int64_t> ReadSchemaVersion(Connection& conn) {
  MLMDX_ASSIGN_OR_RETURN(bool has_env, conn.TableExists("MLMDEnv"));
  if (!has_env) {
    // MLMD 0.13.2 predates MLMDEnv; its Type table has is_artifact_type.
    MLMDX_ASSIGN_OR_RETURN(bool has_type, conn.TableExists("Type"));
    if (has_type &&
        conn.Query("SELECT is_artifact_type FROM Type LIMIT 1", {}).ok()) {
      return 0;
    }
    return -1;
  }
  MLMDX_ASSIGN_OR_RETURN(RecordSet rows,
                         conn.Query("SELECT schema_version FROM MLMDEnv", {}));
  if (rows.rows.empty()) {
    return absl::AbortedError(
        "MLMDEnv has no schema version row; another client may be creating "
        "the database, retry");
  }
  if (rows.rows.size() > 1) {
    return absl::DataLossError(
        absl::StrCat("MLMDEnv holds ", rows.rows.size(),
                     " schema versions; the database is corrupted"));
  }
  return rows.rows[0][0].AsInt();
}

absl::Status InitSchema(Connection& conn, Dialect dialect,
                        const MigrationOptions& options) {
  if (options.downgrade_to_schema_version >= 0) {
    if (options.downgrade_to_schema_version > kSchemaVersion) {
      return absl::InvalidArgumentError(
          absl::StrCat("MLMD cannot be downgraded to schema_version ",
                       options.downgrade_to_schema_version,
                       " greater than the library version ", kSchemaVersion));
    }
    return absl::UnimplementedError(
        "schema downgrade is not supported by this build");
  }
  MLMDX_RETURN_IF_ERROR(conn.Begin(TransactionMode::kReadWrite));
  absl::Cleanup rollback = [&conn] { conn.Rollback(); };
  MLMDX_RETURN_IF_ERROR(InitInTransaction(conn, dialect, options));
  MLMDX_RETURN_IF_ERROR(conn.Commit());
  std::move(rollback).Cancel();
  return absl::OkStatus();
}

}  // namespace mlmdx::store
