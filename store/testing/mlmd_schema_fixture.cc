#include "store/testing/mlmd_schema_fixture.h"

#include <sqlite3.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace mlmdx::store {
namespace {

// A property table of `version`: byte_value from 7, proto_value and
// bool_value from 10, each appended at the end as MLMD's ALTERs did.
std::string PropertyTable(int version, const std::string& table,
                          const std::string& id_column) {
  std::string columns =
      absl::StrCat("`", id_column,
                   "` INT NOT NULL, `name` VARCHAR(255) NOT NULL, "
                   "`is_custom_property` TINYINT(1) NOT NULL, `int_value` INT, "
                   "`double_value` DOUBLE, `string_value` TEXT, ");
  if (version >= 7) absl::StrAppend(&columns, "`byte_value` BLOB, ");
  if (version >= 10) {
    absl::StrAppend(&columns, "`proto_value` BLOB, `bool_value` BOOLEAN, ");
  }
  return absl::StrCat("CREATE TABLE `", table, "` (", columns, "PRIMARY KEY (`",
                      id_column, "`, `name`, `is_custom_property`));\n");
}

std::string TypeTable(int version) {
  if (version < 6) {
    return absl::StrCat(
        "CREATE TABLE `Type` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, "
        "`name` VARCHAR(255) NOT NULL, `",
        version < 2 ? "is_artifact_type" : "type_kind",
        "` TINYINT(1) NOT NULL, `input_type` TEXT, `output_type` TEXT);\n");
  }
  return absl::StrCat(
      "CREATE TABLE `Type` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, "
      "`name` VARCHAR(255) NOT NULL, `version` VARCHAR(255), "
      "`type_kind` TINYINT(1) NOT NULL, `description` TEXT, "
      "`input_type` TEXT, `output_type` TEXT",
      version >= 9 ? ", `external_id` VARCHAR(255) UNIQUE" : "", ");\n");
}

// Artifact, Execution or Context: id and type_id, the `leading` columns,
// from version 5 the `since5` columns, from 9 external_id, from 5 the times.
// UNIQUE(type_id, name) from version 5, and on Context from its start.
std::string NodeTable(int version, const std::string& table,
                      const std::string& leading, const std::string& since5) {
  std::string columns = absl::StrCat(
      "`id` INTEGER PRIMARY KEY AUTOINCREMENT, `type_id` INT NOT NULL",
      leading);
  if (version >= 5) absl::StrAppend(&columns, since5);
  if (version >= 9)
    absl::StrAppend(&columns, ", `external_id` VARCHAR(255) UNIQUE");
  if (version >= 5) {
    absl::StrAppend(&columns,
                    ", `create_time_since_epoch` INT NOT NULL DEFAULT 0, "
                    "`last_update_time_since_epoch` INT NOT NULL DEFAULT 0");
  }
  const bool unique_name = version >= 5 || table == "Context";
  return absl::StrCat("CREATE TABLE `", table, "` (", columns,
                      unique_name ? ", UNIQUE(`type_id`, `name`)" : "", ");\n");
}

std::string PropertyIndexes() {
  std::string sql;
  for (const char* node : {"artifact", "execution", "context"}) {
    std::string table = absl::StrCat(node, "Property");
    table[0] = static_cast<char>(table[0] - 'a' + 'A');
    for (const char* kind : {"int", "double", "string"}) {
      absl::StrAppend(&sql, "CREATE INDEX `idx_", node, "_property_", kind,
                      "` ON `", table, "`(`name`, `is_custom_property`, `",
                      kind, "_value`) WHERE `", kind, "_value` IS NOT NULL;\n");
    }
  }
  return sql;
}

std::string Indexes(int version) {
  if (version < 6) return "";
  std::string sql =
      "CREATE INDEX `idx_artifact_uri` ON `Artifact`(`uri`);\n"
      "CREATE INDEX `idx_artifact_create_time_since_epoch` "
      "ON `Artifact`(`create_time_since_epoch`);\n"
      "CREATE INDEX `idx_artifact_last_update_time_since_epoch` "
      "ON `Artifact`(`last_update_time_since_epoch`);\n"
      "CREATE INDEX `idx_event_execution_id` ON `Event`(`execution_id`);\n"
      "CREATE INDEX `idx_parentcontext_parent_context_id` "
      "ON `ParentContext`(`parent_context_id`);\n"
      "CREATE INDEX `idx_type_name` ON `Type`(`name`);\n"
      "CREATE INDEX `idx_execution_create_time_since_epoch` "
      "ON `Execution`(`create_time_since_epoch`);\n"
      "CREATE INDEX `idx_execution_last_update_time_since_epoch` "
      "ON `Execution`(`last_update_time_since_epoch`);\n"
      "CREATE INDEX `idx_context_create_time_since_epoch` "
      "ON `Context`(`create_time_since_epoch`);\n"
      "CREATE INDEX `idx_context_last_update_time_since_epoch` "
      "ON `Context`(`last_update_time_since_epoch`);\n";
  // Version 8's unique index on Event replaced this one.
  if (version < 8) {
    absl::StrAppend(
        &sql,
        "CREATE INDEX `idx_event_artifact_id` ON `Event`(`artifact_id`);\n");
  }
  if (version >= 7) {
    absl::StrAppend(
        &sql,
        "CREATE INDEX `idx_eventpath_event_id` ON `EventPath`(`event_id`);\n");
  }
  if (version >= 8) absl::StrAppend(&sql, PropertyIndexes());
  if (version >= 9) {
    absl::StrAppend(
        &sql,
        "CREATE INDEX `idx_type_external_id` ON `Type`(`external_id`);\n"
        "CREATE INDEX `idx_artifact_external_id` ON "
        "`Artifact`(`external_id`);\n"
        "CREATE INDEX `idx_execution_external_id` "
        "ON `Execution`(`external_id`);\n"
        "CREATE INDEX `idx_context_external_id` ON "
        "`Context`(`external_id`);\n");
  }
  return sql;
}

// Formats one VALUES tuple from already-quoted SQL literals.
template <typename... Values>
std::string Row(const Values&... values) {
  std::string row = "(";
  const char* separator = "";
  ((absl::StrAppend(&row, separator, values), separator = ", "), ...);
  return row + ")";
}

std::string TypeRows(int version) {
  struct TypeRow {
    int id;
    const char* name;
    int kind;
    const char* type_version;
    const char* description;
    const char* input;
    const char* output;
    const char* external_id;
    int since;  // The first schema version the row is in.
  };
  const TypeRow rows[] = {
      {1, "'Dataset'", 1, "'v1'", "'a dataset'", "NULL", "NULL", "'type-ext-1'",
       0},
      {2, "'Trainer'", 0, "NULL", "NULL", "'{\"any\":{}}'", "'{\"none\":{}}'",
       "NULL", 0},
      {3, "'Pipeline'", 2, "NULL", "'runs'", "NULL", "NULL", "NULL", 2},
      {4, "'Model'", 1, "NULL", "NULL", "NULL", "NULL", "NULL", 0},
      // Deleted again below: the next type id comes from sqlite_sequence.
      {5, "'Gone'", 1, "NULL", "NULL", "NULL", "NULL", "NULL", 0},
      // The simple type Model's base_type points at, from version 6.
      {7, "'mlmd.Model'", 1, "NULL", "NULL", "NULL", "NULL", "NULL", 6},
  };
  std::string sql;
  for (const TypeRow& row : rows) {
    if (version < row.since) continue;
    if (version < 2) {
      absl::StrAppend(&sql,
                      "INSERT INTO `Type`(`id`, `name`, `is_artifact_type`, "
                      "`input_type`, `output_type`) VALUES ",
                      Row(row.id, row.name, row.kind, row.input, row.output),
                      ";\n");
    } else if (version < 6) {
      absl::StrAppend(&sql,
                      "INSERT INTO `Type`(`id`, `name`, `type_kind`, "
                      "`input_type`, `output_type`) VALUES ",
                      Row(row.id, row.name, row.kind, row.input, row.output),
                      ";\n");
    } else if (version < 9) {
      absl::StrAppend(
          &sql,
          "INSERT INTO `Type`(`id`, `name`, `version`, `type_kind`, "
          "`description`, `input_type`, `output_type`) VALUES ",
          Row(row.id, row.name, row.type_version, row.kind, row.description,
              row.input, row.output),
          ";\n");
    } else {
      absl::StrAppend(
          &sql,
          "INSERT INTO `Type`(`id`, `name`, `version`, `type_kind`, "
          "`description`, `input_type`, `output_type`, "
          "`external_id`) VALUES ",
          Row(row.id, row.name, row.type_version, row.kind, row.description,
              row.input, row.output, row.external_id),
          ";\n");
    }
  }
  absl::StrAppend(&sql, "DELETE FROM `Type` WHERE `id` = 5;\n");
  absl::StrAppend(&sql,
                  "INSERT INTO `TypeProperty` VALUES (1, 'size', 1), "
                  "(1, 'ratio', 2), (1, 'label', 3), (2, 'lr', 2)",
                  version >= 2 ? ", (3, 'owner', 3)" : "",
                  version >= 6 ? ", (1, 'config', 4)" : "",
                  version >= 10 ? ", (1, 'blob', 5), (1, 'flag', 6)" : "",
                  ";\n");
  if (version >= 6) {
    absl::StrAppend(&sql, "INSERT INTO `ParentType` VALUES (4, 7);\n");
  }
  return sql;
}

std::string ArtifactRows(int version) {
  std::string sql;
  if (version < 5) {
    sql =
        "INSERT INTO `Artifact` VALUES (1, 1, '/data/1'), (2, 1, ''), "
        "(3, 4, NULL), (6, 4, '/gone');\n";
  } else if (version < 9) {
    sql =
        "INSERT INTO `Artifact` VALUES "
        "(1, 1, '/data/1', 2, 'dataset-1', 1600000000000, 1600000000500), "
        "(2, 1, '', NULL, NULL, 1600000001000, 1600000001000), "
        "(3, 4, NULL, NULL, 'model-3', 0, 0), "
        "(6, 4, '/gone', NULL, NULL, 1, 1);\n";
  } else {
    sql =
        "INSERT INTO `Artifact` VALUES "
        "(1, 1, '/data/1', 2, 'dataset-1', 'art-ext-1', 1600000000000, "
        "1600000000500), "
        "(2, 1, '', NULL, NULL, NULL, 1600000001000, 1600000001000), "
        "(3, 4, NULL, NULL, 'model-3', NULL, 0, 0), "
        "(6, 4, '/gone', NULL, NULL, NULL, 1, 1);\n";
  }
  absl::StrAppend(&sql, "DELETE FROM `Artifact` WHERE `id` = 6;\n");
  const std::string insert =
      "INSERT INTO `ArtifactProperty`(`artifact_id`, `name`, "
      "`is_custom_property`, ";
  absl::StrAppend(&sql, insert, "`int_value`) VALUES (1, 'size', 0, 42), ",
                  "(1, 'count', 1, -7), (3, 'big', 1, 9000000000);\n", insert,
                  "`double_value`) VALUES (1, 'ratio', 0, 0.5);\n", insert,
                  "`string_value`) VALUES (1, 'label', 0, 'train'), "
                  "(1, 'note', 1, 'custom note');\n");
  if (version >= 6) {
    absl::StrAppend(&sql, insert,
                    "`string_value`) VALUES (1, 'config', 1, 'mlmd-struct::",
                    kFixtureStructBase64, "');\n");
  }
  // MLMD never writes byte_value; a row of some other writer's, on an
  // artifact that does not exist, checks that the column survives.
  if (version >= 7) {
    absl::StrAppend(&sql, insert,
                    "`byte_value`) VALUES (999, 'raw', 1, X'00FF');\n");
  }
  if (version >= 10) {
    absl::StrAppend(&sql, insert, "`proto_value`) VALUES (2, 'blob', 1, '",
                    kFixtureAnyBase64, "');\n", insert,
                    "`bool_value`) VALUES (2, 'flag', 1, 1), "
                    "(2, 'off', 1, 0);\n");
  }
  return sql;
}

std::string ExecutionRows(int version) {
  std::string sql;
  if (version < 5) {
    sql = "INSERT INTO `Execution` VALUES (1, 2), (2, 2), (3, 2);\n";
  } else if (version < 9) {
    sql =
        "INSERT INTO `Execution` VALUES "
        "(1, 2, 3, 'train-1', 1600000004000, 1600000005000), "
        "(2, 2, NULL, NULL, 1600000006000, 1600000006000), "
        "(3, 2, NULL, NULL, 1, 1);\n";
  } else {
    sql =
        "INSERT INTO `Execution` VALUES "
        "(1, 2, 3, 'train-1', 'exe-ext-1', 1600000004000, 1600000005000), "
        "(2, 2, NULL, NULL, NULL, 1600000006000, 1600000006000), "
        "(3, 2, NULL, NULL, NULL, 1, 1);\n";
  }
  absl::StrAppend(
      &sql, "DELETE FROM `Execution` WHERE `id` = 3;\n",
      "INSERT INTO `ExecutionProperty`(`execution_id`, `name`, "
      "`is_custom_property`, `int_value`, `double_value`, `string_value`) "
      "VALUES (1, 'lr', 0, NULL, 0.01, NULL), (1, 'epochs', 1, 10, NULL, "
      "NULL), "
      "(2, 'note', 1, NULL, NULL, 'second');\n");
  return sql;
}

std::string ContextRows(int version) {
  if (version < 3) return "";
  std::string sql;
  if (version < 5) {
    sql =
        "INSERT INTO `Context` VALUES (1, 3, 'pipeline-1'), (2, 3, 'run-1'), "
        "(3, 3, 'gone');\n";
  } else if (version < 9) {
    sql =
        "INSERT INTO `Context` VALUES "
        "(1, 3, 'pipeline-1', 1600000007000, 1600000008000), "
        "(2, 3, 'run-1', 1600000009000, 1600000009000), "
        "(3, 3, 'gone', 1, 1);\n";
  } else {
    sql =
        "INSERT INTO `Context` VALUES "
        "(1, 3, 'pipeline-1', 'ctx-ext-1', 1600000007000, 1600000008000), "
        "(2, 3, 'run-1', NULL, 1600000009000, 1600000009000), "
        "(3, 3, 'gone', NULL, 1, 1);\n";
  }
  absl::StrAppend(
      &sql, "DELETE FROM `Context` WHERE `id` = 3;\n",
      "INSERT INTO `ContextProperty`(`context_id`, `name`, "
      "`is_custom_property`, `int_value`, `double_value`, `string_value`) "
      "VALUES (1, 'owner', 0, NULL, NULL, 'alice'), "
      "(2, 'attempt', 1, 2, NULL, NULL), (2, 'score', 1, NULL, 0.75, NULL);\n");
  if (version >= 4) {
    absl::StrAppend(
        &sql,
        "INSERT INTO `Association` VALUES (1, 2, 1), (2, 2, 2), (3, 1, 1);\n"
        "DELETE FROM `Association` WHERE `id` = 3;\n"
        "INSERT INTO `Attribution` VALUES (1, 2, 1), (2, 1, 2), (3, 1, 3);\n"
        "DELETE FROM `Attribution` WHERE `id` = 3;\n");
  }
  if (version >= 6) {
    absl::StrAppend(&sql, "INSERT INTO `ParentContext` VALUES (2, 1);\n");
  }
  return sql;
}

std::string EventRows(int version) {
  // Events 1 and 3 repeat event 5's (artifact, execution, type); version 8
  // made that impossible.
  std::string sql = absl::StrCat(
      "INSERT INTO `Event` VALUES ",
      version < 8 ? "(1, 1, 1, 3, 1600000010000), " : "",
      "(2, 2, 1, 4, 1600000011000), ",
      version < 8 ? "(3, 1, 1, 3, 1600000012000), " : "",
      "(4, 1, 2, 3, NULL), (5, 1, 1, 3, 1600000014000), (6, 3, 2, 4, 1);\n",
      "DELETE FROM `Event` WHERE `id` = 6;\n",
      "INSERT INTO `EventPath` VALUES ",
      version < 8 ? "(1, 0, NULL, 'old'), " : "", "(2, 0, NULL, 'model'), ",
      version < 8 ? "(3, 1, 7, NULL), (3, 0, NULL, 'older'), " : "",
      "(4, 1, 0, NULL), (5, 1, 1, NULL), (5, 0, NULL, 'examples');\n");
  return sql;
}

}  // namespace

std::vector<std::string> MlmdTables(int version) {
  std::vector<std::string> tables = {"Type", "TypeProperty"};
  if (version >= 6) tables.push_back("ParentType");
  for (const char* table :
       {"Artifact", "ArtifactProperty", "Execution", "ExecutionProperty"}) {
    tables.push_back(table);
  }
  if (version >= 3) {
    tables.push_back("Context");
    tables.push_back("ContextProperty");
  }
  if (version >= 6) tables.push_back("ParentContext");
  tables.push_back("Event");
  tables.push_back("EventPath");
  if (version >= 4) {
    tables.push_back("Association");
    tables.push_back("Attribution");
  }
  if (version >= 1) tables.push_back("MLMDEnv");
  return tables;
}

std::string MlmdLayoutSql(int version) {
  std::string sql = TypeTable(version);
  absl::StrAppend(&sql,
                  "CREATE TABLE `TypeProperty` (`type_id` INT NOT NULL, "
                  "`name` VARCHAR(255) NOT NULL, `data_type` INT NULL, "
                  "PRIMARY KEY (`type_id`, `name`));\n");
  if (version >= 6) {
    absl::StrAppend(&sql,
                    "CREATE TABLE `ParentType` (`type_id` INT NOT NULL, "
                    "`parent_type_id` INT NOT NULL, "
                    "PRIMARY KEY (`type_id`, `parent_type_id`));\n");
  }
  absl::StrAppend(&sql,
                  NodeTable(version, "Artifact", ", `uri` TEXT",
                            ", `state` INT, `name` VARCHAR(255)"),
                  PropertyTable(version, "ArtifactProperty", "artifact_id"),
                  NodeTable(version, "Execution", "",
                            ", `last_known_state` INT, `name` VARCHAR(255)"),
                  PropertyTable(version, "ExecutionProperty", "execution_id"));
  if (version >= 3) {
    absl::StrAppend(
        &sql,
        NodeTable(version, "Context", ", `name` VARCHAR(255) NOT NULL", ""),
        PropertyTable(version, "ContextProperty", "context_id"));
  }
  if (version >= 6) {
    absl::StrAppend(&sql,
                    "CREATE TABLE `ParentContext` (`context_id` INT NOT NULL, "
                    "`parent_context_id` INT NOT NULL, "
                    "PRIMARY KEY (`context_id`, `parent_context_id`));\n");
  }
  absl::StrAppend(
      &sql,
      "CREATE TABLE `Event` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, "
      "`artifact_id` INT NOT NULL, `execution_id` INT NOT NULL, "
      "`type` INT NOT NULL, `milliseconds_since_epoch` INT",
      version >= 8 ? ", UNIQUE(`artifact_id`, `execution_id`, `type`)" : "",
      ");\n",
      "CREATE TABLE `EventPath` (`event_id` INT NOT NULL, "
      "`is_index_step` TINYINT(1) NOT NULL, `step_index` INT, "
      "`step_key` TEXT);\n");
  if (version >= 4) {
    absl::StrAppend(
        &sql,
        "CREATE TABLE `Association` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, "
        "`context_id` INT NOT NULL, `execution_id` INT NOT NULL, "
        "UNIQUE(`context_id`, `execution_id`));\n"
        "CREATE TABLE `Attribution` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, "
        "`context_id` INT NOT NULL, `artifact_id` INT NOT NULL, "
        "UNIQUE(`context_id`, `artifact_id`));\n");
  }
  if (version >= 1) {
    absl::StrAppend(&sql,
                    "CREATE TABLE `MLMDEnv` (`schema_version` INTEGER PRIMARY "
                    "KEY);\nINSERT INTO `MLMDEnv` VALUES (",
                    version, ");\n");
  }
  absl::StrAppend(&sql, Indexes(version));
  return sql;
}

std::string MlmdRowsSql(int version) {
  return absl::StrCat(TypeRows(version), ArtifactRows(version),
                      ExecutionRows(version), ContextRows(version),
                      EventRows(version));
}

absl::Status WriteMlmdFixture(const std::string& path, int version,
                              bool with_rows) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw,
                                                           &sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat("cannot open ", path));
  }
  const std::string script =
      absl::StrCat("PRAGMA journal_mode=WAL;\nBEGIN;\n", MlmdLayoutSql(version),
                   with_rows ? MlmdRowsSql(version) : "", "COMMIT;\n");
  char* error = nullptr;
  if (sqlite3_exec(db.get(), script.c_str(), nullptr, nullptr, &error) !=
      SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat("fixture for MLMD schema version ",
                                            version, ": ", message));
  }
  return absl::OkStatus();
}

}  // namespace mlmdx::store
