// File: query/testing/postgres_schema_db.cc

#include "query/testing/postgres_schema_db.h"

#include <string>
#include <utility>
#include <variant>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "migrations/migrations.h"
#include "query/catalog.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

constexpr NodeKind kAllKinds[] = {NodeKind::kArtifact, NodeKind::kExecution,
                                  NodeKind::kContext};

// Rewrites each `?` outside quotes to $1, $2, ..., as the store does before
// PQprepare.
std::string NumberPlaceholders(absl::string_view sql) {
  std::string out;
  int next = 0;
  char quote = 0;  // ' or " while inside a quoted literal or identifier.
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?') {
      absl::StrAppend(&out, "$", ++next);
      continue;
    }
    out += c;
  }
  return out;
}

// A parameter in text format, as the store sends it: integers in decimal,
// doubles with 17 significant digits, strings as they are.
std::string ParamText(const SqlParam& param) {
  if (const auto* i = std::get_if<int64_t>(&param)) return absl::StrCat(*i);
  if (const auto* d = std::get_if<double>(&param)) {
    return absl::StrFormat("%.17g", *d);
  }
  return std::get<std::string>(param);
}

}  // namespace

absl::StatusOr<PostgresSchemaDb::Conn> PostgresSchemaDb::Connect(
    const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL (", conninfo, "): ",
        conn == nullptr
            ? "out of memory"
            : absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn.get()))));
  }
  // Notices ("relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

absl::Status PostgresSchemaDb::Check(PGconn* conn, const PGresult* result,
                                     absl::string_view what) {
  const ExecStatusType status =
      result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return absl::OkStatus();
  }
  const char* sqlstate = result == nullptr
                             ? nullptr
                             : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return absl::InternalError(absl::StrCat(
      what, ": ",
      absl::StripTrailingAsciiWhitespace(result == nullptr
                                             ? PQerrorMessage(conn)
                                             : PQresultErrorMessage(result)),
      " (SQLSTATE ", sqlstate == nullptr ? "none" : sqlstate, ")"));
}

absl::StatusOr<std::unique_ptr<PostgresSchemaDb>> PostgresSchemaDb::Create(
    absl::string_view admin_conninfo, absl::string_view name,
    absl::string_view schema_sql) {
  {
    MLMDX_ASSIGN_OR_RETURN(Conn admin, Connect(std::string(admin_conninfo)));
    // ICU's en-US orders 'a' before 'B' and folds 'É' to 'é'; LOCALE 'C'
    // only sets what ICU does not cover, and exists on every system.
    const std::string create =
        absl::StrCat("CREATE DATABASE ", name,
                     " TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' "
                     "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
    Result result(PQexec(admin.get(), create.c_str()));
    MLMDX_RETURN_IF_ERROR(Check(admin.get(), result.get(), create));
  }
  // libpq takes the last value of a repeated keyword.
  MLMDX_ASSIGN_OR_RETURN(
      Conn conn, Connect(absl::StrCat(admin_conninfo, " dbname=", name)));
  std::unique_ptr<PostgresSchemaDb> db(new PostgresSchemaDb(std::move(conn)));
  MLMDX_RETURN_IF_ERROR(db->Exec(schema_sql));
  return db;
}

absl::Status PostgresSchemaDb::Exec(absl::string_view sql) {
  Result result(PQexec(conn_.get(), std::string(sql).c_str()));
  return Check(conn_.get(), result.get(), "exec");
}

absl::StatusOr<std::vector<std::string>> PostgresSchemaDb::Tables() {
  Result result(PQexec(conn_.get(),
                       "SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = 'public' AND "
                       "table_type = 'BASE TABLE' ORDER BY table_name"));
  MLMDX_RETURN_IF_ERROR(Check(conn_.get(), result.get(), "list tables"));
  std::vector<std::string> tables;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    tables.emplace_back(PQgetvalue(result.get(), row, 0));
  }
  return tables;
}

absl::Status PostgresSchemaDb::CopyTable(SchemaDb& source,
                                         const std::string& table) {
  MLMDX_ASSIGN_OR_RETURN(const StoredTable rows, source.ReadTable(table));
  // The PostgreSQL type of each column, to recognise BOOLEAN and BYTEA.
  const char* table_param = table.c_str();
  Result types(PQexecParams(conn_.get(),
                            "SELECT column_name, data_type FROM "
                            "information_schema.columns WHERE "
                            "table_schema = 'public' AND table_name = $1",
                            1, nullptr, &table_param, nullptr, nullptr, 0));
  MLMDX_RETURN_IF_ERROR(Check(conn_.get(), types.get(), "columns"));
  absl::flat_hash_map<std::string, std::string> type_of;
  for (int row = 0; row < PQntuples(types.get()); ++row) {
    type_of[PQgetvalue(types.get(), row, 0)] = PQgetvalue(types.get(), row, 1);
  }
  std::vector<std::string> column_types;
  std::vector<std::string> placeholders;
  for (const std::string& column : rows.columns) {
    auto it = type_of.find(column);
    if (it == type_of.end()) {
      return absl::InternalError(
          absl::StrCat("no column ", table, ".", column, " on PostgreSQL"));
    }
    column_types.push_back(it->second);
    placeholders.push_back(absl::StrCat("$", placeholders.size() + 1));
  }
  const std::string insert = absl::StrCat(
      "INSERT INTO ", table, " (", absl::StrJoin(rows.columns, ", "),
      ") VALUES (", absl::StrJoin(placeholders, ", "), ")");
  const size_t width = rows.columns.size();
  for (const std::vector<StoredValue>& row : rows.rows) {
    std::vector<std::string> texts(width);
    std::vector<const char*> values(width, nullptr);
    std::vector<int> lengths(width, 0);
    std::vector<int> formats(width, 0);
    for (size_t c = 0; c < width; ++c) {
      const StoredValue& value = row[c];
      const bool is_bool = column_types[c] == "boolean";
      switch (value.type) {
        case SQLITE_NULL:
          continue;
        case SQLITE_INTEGER:
          texts[c] = is_bool ? (value.int_value != 0 ? "true" : "false")
                             : absl::StrCat(value.int_value);
          break;
        case SQLITE_FLOAT:
          texts[c] = absl::StrFormat("%.17g", value.double_value);
          break;
        default:
          texts[c] = value.bytes;
          // Bytes go unchanged into BYTEA in binary format.
          formats[c] = column_types[c] == "bytea" ? 1 : 0;
          break;
      }
      values[c] = texts[c].c_str();
      lengths[c] = static_cast<int>(texts[c].size());
    }
    Result result(PQexecParams(conn_.get(), insert.c_str(),
                               static_cast<int>(width), nullptr, values.data(),
                               lengths.data(), formats.data(), 0));
    MLMDX_RETURN_IF_ERROR(Check(conn_.get(), result.get(), insert));
  }
  return absl::OkStatus();
}

absl::Status PostgresSchemaDb::CopyFrom(SchemaDb& source) {
  MLMDX_RETURN_IF_ERROR(Exec("BEGIN"));
  bool committed = false;
  absl::Cleanup rollback = [this, &committed] {
    if (!committed) (void)Exec("ROLLBACK");
  };
  MLMDX_ASSIGN_OR_RETURN(const std::vector<std::string> tables, Tables());
  for (const std::string& table : tables) {
    MLMDX_RETURN_IF_ERROR(Exec(absl::StrCat("DELETE FROM ", table)));
    MLMDX_RETURN_IF_ERROR(CopyTable(source, table));
  }
  MLMDX_RETURN_IF_ERROR(Exec("COMMIT"));
  committed = true;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> PostgresSchemaDb::MatchingIds(
    NodeKind kind, const CompiledFilter& filter) {
  const std::string sql =
      absl::StrCat("SELECT id FROM ", NodeKindName(kind), " WHERE id IN (",
                   filter.sql, ") ORDER BY id");
  // The unnamed statement, with no declared parameter types: the server
  // infers them from the SQL, as for the store.
  Result prepared(
      PQprepare(conn_.get(), "", NumberPlaceholders(sql).c_str(), 0, nullptr));
  MLMDX_RETURN_IF_ERROR(Check(conn_.get(), prepared.get(),
                              absl::StrCat("prepare failed in: ", sql)));
  Result described(PQdescribePrepared(conn_.get(), ""));
  MLMDX_RETURN_IF_ERROR(Check(conn_.get(), described.get(), "describe"));
  if (PQnparams(described.get()) != static_cast<int>(filter.params.size())) {
    return absl::InternalError(absl::StrCat(
        "statement has ", PQnparams(described.get()), " placeholders but ",
        filter.params.size(), " parameters: ", sql));
  }
  std::vector<std::string> texts;
  texts.reserve(filter.params.size());
  std::vector<const char*> values;
  for (const SqlParam& param : filter.params) {
    texts.push_back(ParamText(param));
  }
  for (const std::string& text : texts) values.push_back(text.c_str());
  Result result(PQexecPrepared(conn_.get(), "", static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0));
  MLMDX_RETURN_IF_ERROR(
      Check(conn_.get(), result.get(), absl::StrCat("failed: ", sql)));
  std::vector<int64_t> ids;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    int64_t id = 0;
    if (!absl::SimpleAtoi(PQgetvalue(result.get(), row, 0), &id)) {
      return absl::InternalError("non-integer id");
    }
    ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::string> PostgresSchemaDb::SchemaText() {
  Result result(PQexec(conn_.get(),
                       "SELECT table_name, column_name, data_type FROM "
                       "information_schema.columns WHERE table_schema = "
                       "'public' ORDER BY table_name, ordinal_position"));
  MLMDX_RETURN_IF_ERROR(Check(conn_.get(), result.get(), "schema"));
  std::string text;
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    absl::StrAppend(&text, PQgetvalue(result.get(), row, 0), ".",
                    PQgetvalue(result.get(), row, 1), " ",
                    PQgetvalue(result.get(), row, 2), "\n");
  }
  return text;
}

absl::string_view EmbeddedPostgresSchema() {
  for (const migrations::SqlFile& file : migrations::AllSqlFiles()) {
    if (file.name == "postgresql/0010_mlmd_schema.up.sql") return file.sql;
  }
  return "";
}

absl::StatusOr<int> CheckSameIdsOnPostgres(SchemaDb& sqlite,
                                           PostgresSchemaDb& postgres,
                                           absl::string_view input) {
  int selecting = 0;
  for (NodeKind kind : kAllKinds) {
    const std::string label =
        absl::StrCat("kind ", NodeKindName(kind), ", filter: ", input);
    absl::StatusOr<CompiledFilter> lite =
        CompileFilter(input, kind, Dialect::kSqlite);
    absl::StatusOr<CompiledFilter> pg =
        CompileFilter(input, kind, Dialect::kPostgres);
    if (!lite.ok() || !pg.ok()) {
      if (lite.status() != pg.status()) {
        return absl::InternalError(
            absl::StrCat(label, "\nSQLite: ", lite.status().ToString(),
                         "\nPostgreSQL: ", pg.status().ToString()));
      }
      continue;
    }
    absl::StatusOr<std::vector<int64_t>> want = sqlite.MatchingIds(kind, *lite);
    if (!want.ok()) {
      return absl::InternalError(
          absl::StrCat(label, "\non SQLite: ", want.status().ToString()));
    }
    absl::StatusOr<std::vector<int64_t>> got = postgres.MatchingIds(kind, *pg);
    if (!got.ok()) {
      return absl::InternalError(
          absl::StrCat(label, "\non PostgreSQL: ", got.status().ToString()));
    }
    if (*want != *got) {
      return absl::InternalError(absl::StrCat(
          label, "\nSQLite ids: ", absl::StrJoin(*want, " "),
          "\nPostgreSQL ids: ", absl::StrJoin(*got, " "), "\nSQL: ", pg->sql));
    }
    if (!got->empty()) ++selecting;
  }
  return selecting;
}

}  // namespace mlmdx::query
