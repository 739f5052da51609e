#include "store/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "util/status_macros.h"

namespace mlmdx::store {
namespace {

// Type oids from PostgreSQL's pg_type.dat (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::atomic<int64_t> round_trips{0};

// Notes one request to the server and its answer.
void CountRoundTrip() { round_trips.fetch_add(1, std::memory_order_relaxed); }

SqlValue ColumnValue(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return SqlValue::Null();
  const char* text = PQgetvalue(result, row, column);
  const int length = PQgetlength(result, row, column);
  switch (PQftype(result, column)) {
    case kBoolOid:
      return SqlValue::Int(text[0] == 't' ? 1 : 0);
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t value = 0;
      (void)absl::SimpleAtoi(absl::string_view(text, length), &value);
      return SqlValue::Int(value);
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid:
      return SqlValue::Double(std::strtod(text, nullptr));
    case kByteaOid: {
      size_t size = 0;
      unsigned char* bytes =
          PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &size);
      std::string out(reinterpret_cast<const char*>(bytes), size);
      PQfreemem(bytes);
      return SqlValue::Blob(std::move(out));
    }
    default:
      return SqlValue::Text(std::string(text, length));
  }
}

RecordSet RowsOf(const PGresult* result) {
  RecordSet rows;
  const int columns = PQnfields(result);
  rows.rows.resize(PQntuples(result));
  for (int r = 0; r < PQntuples(result); ++r) {
    rows.rows[r].reserve(columns);
    for (int c = 0; c < columns; ++c) {
      rows.rows[r].push_back(ColumnValue(result, r, c));
    }
  }
  return rows;
}

// libpq's parsed form of `options`, keyword -> value for the keywords set.
std::map<std::string, std::string> ParsedConnInfo(
    const PostgresOptions& options) {
  std::map<std::string, std::string> values;
  if (!options.conninfo.empty()) {
    char* error = nullptr;
    PQconninfoOption* parsed =
        PQconninfoParse(options.conninfo.c_str(), &error);
    if (error != nullptr) PQfreemem(error);
    if (parsed != nullptr) {
      for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val != nullptr && *o->val != '\0') values[o->keyword] = o->val;
      }
      PQconninfoFree(parsed);
    }
  }
  if (!options.dbname.empty()) values["dbname"] = options.dbname;
  return values;
}

std::string ValueOrEnv(const std::map<std::string, std::string>& values,
                       const std::string& keyword, const char* env,
                       const std::string& fallback) {
  auto it = values.find(keyword);
  if (it != values.end()) return it->second;
  const char* value = std::getenv(env);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string UserName(const std::map<std::string, std::string>& values) {
  const char* login = std::getenv("USER");
  return ValueOrEnv(values, "user", "PGUSER", login != nullptr ? login : "");
}

}  // namespace

pg_conn* PostgresConnection::Connect(const PostgresOptions& options) {
  // The first dbname may be a whole connection string (expand_dbname); a
  // second one, when given, names the database alone.
  const char* keywords[] = {"dbname", "dbname", nullptr};
  const char* values[] = {options.conninfo.c_str(), options.dbname.c_str(),
                          nullptr};
  if (options.dbname.empty()) keywords[1] = nullptr;
  return PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
}

std::string PostgresDatabaseName(const PostgresOptions& options) {
  const auto values = ParsedConnInfo(options);
  return ValueOrEnv(values, "dbname", "PGDATABASE", UserName(values));
}

std::string DescribePostgres(const PostgresOptions& options) {
  const auto values = ParsedConnInfo(options);
  std::string host = ValueOrEnv(values, "host", "PGHOST", "");
  if (host.empty()) host = ValueOrEnv(values, "hostaddr", "PGHOSTADDR", "");
  return absl::StrCat("PostgreSQL database ", PostgresDatabaseName(options),
                      " on ", host.empty() ? "the local socket" : host,
                      " port ", ValueOrEnv(values, "port", "PGPORT", "5432"),
                      " as ", UserName(values));
}

absl::Status CreatePostgresDatabaseIfMissing(const PostgresOptions& options) {
  const std::string name = PostgresDatabaseName(options);
  PostgresOptions maintenance = options;
  maintenance.dbname = "postgres";
  MLMDX_ASSIGN_OR_RETURN(std::unique_ptr<PostgresConnection> conn,
                         PostgresConnection::Open(maintenance));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows, conn->Query("SELECT 1 FROM pg_database WHERE datname = ?",
                                  {SqlValue::Text(name)}));
  if (!rows.rows.empty()) return absl::OkStatus();
  const absl::Status created = conn->ExecuteScript(
      absl::StrCat("CREATE DATABASE ", conn->QuoteIdentifier(name)));
  // 42P04: another process created it first; 23505 is how the same race
  // can surface from pg_database's unique index.
  if (created.ok() || absl::StrContains(created.message(), "42P04") ||
      absl::StrContains(created.message(), "SQLSTATE 23505")) {
    return absl::OkStatus();
  }
  return created;
}

std::string PostgresConnection::QuoteIdentifier(absl::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  if (quoted == nullptr) return "\"\"";
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

void PostgresConnection::ResultDeleter::operator()(pg_result* result) const {
  PQclear(result);
}

void PostgresConnection::ConnDeleter::operator()(pg_conn* conn) const {
  PQfinish(conn);
}

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresConnection::Open(
    const PostgresOptions& options) {
  // The handle exists even when connecting failed and must be finished;
  // the RAII owner does it on every path.
  std::unique_ptr<PostgresConnection> conn(
      new PostgresConnection(Connect(options), options));
  if (conn->conn_ == nullptr) {
    return absl::ResourceExhaustedError(
        "libpq could not allocate a connection");
  }
  if (PQstatus(conn->conn_.get()) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL: ",
        absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn->conn_.get()))));
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn->conn_.get(), [](void*, const char*) {}, nullptr);
  if (options.read_only) {
    MLMDX_RETURN_IF_ERROR(
        conn->ExecuteScript("SET default_transaction_read_only = on"));
  }
  if (options.statement_timeout_ms > 0) {
    MLMDX_RETURN_IF_ERROR(conn->ExecuteScript(absl::StrCat(
        "SET statement_timeout = ", options.statement_timeout_ms)));
  }
  return conn;
}

PostgresConnection::~PostgresConnection() = default;

int64_t PostgresConnection::RoundTrips() {
  return round_trips.load(std::memory_order_relaxed);
}

std::string PostgresConnection::NumberPlaceholders(absl::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  char quote = 0;  // ' or " while inside a quoted string or identifier.
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;  // A doubled quote re-enters at once.
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      absl::StrAppend(&out, "$", ++next);
    } else {
      out += c;
    }
  }
  return out;
}

absl::Status PostgresConnection::ResultStatus(const pg_result* result,
                                              absl::string_view context) const {
  const ExecStatusType status =
      result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return absl::OkStatus();
  }
  const char* state = result == nullptr
                          ? nullptr
                          : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string sqlstate = state == nullptr ? "" : state;
  const std::string message = absl::StrCat(
      context, ": ",
      absl::StripTrailingAsciiWhitespace(
          result != nullptr && *PQresultErrorMessage(result) != '\0'
              ? PQresultErrorMessage(result)
              : PQerrorMessage(conn_.get())),
      sqlstate.empty() ? "" : absl::StrCat(" (SQLSTATE ", sqlstate, ")"));
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") {
    return absl::AbortedError(
        absl::StrCat(message, "; the transaction lost a race, retry"));
  }
  if (sqlstate == "23505") return absl::AlreadyExistsError(message);
  // 57014 (query_canceled): nothing here cancels statements, so it is
  // statement_timeout.
  if (sqlstate == "57014") {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a database statement ran longer than the statement time limit of ",
        options_.statement_timeout_ms,
        " ms (--statement_timeout_ms) and was cancelled; narrow the request "
        "(e.g. a more selective filter or a smaller page): ",
        message));
  }
  // Values PostgreSQL cannot hold where SQLite can: text that is not valid
  // in the database's encoding (22021, 22P05), longer than a VARCHAR(255)
  // (22001), a number out of a column's range (22003), or a value too large
  // for an index entry (54000). The request is at fault, not the server.
  if (sqlstate == "22021" || sqlstate == "22P05" || sqlstate == "22001" ||
      sqlstate == "22003" || sqlstate == "54000") {
    return absl::InvalidArgumentError(message);
  }
  // 57P01-57P03: the server is shutting down or restarting and ended the
  // session (a pipeline reads this before libpq sees the socket close).
  if (absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03" ||
      PQstatus(conn_.get()) != CONNECTION_OK) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::Status PostgresConnection::EnterPipeline() {
  if (PQpipelineStatus(conn_.get()) != PQ_PIPELINE_OFF) return absl::OkStatus();
  if (PQenterPipelineMode(conn_.get()) == 1) return absl::OkStatus();
  return SendFailed("cannot start a pipeline");
}

absl::Status PostgresConnection::SendFailed(absl::string_view context) const {
  const std::string message = absl::StrCat(
      context, ": ",
      absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn_.get())));
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::Status PostgresConnection::Send(absl::string_view sql,
                                      absl::Span<const SqlValue> params,
                                      PendingStatement statement) {
  // Parameters are typed by their kind (an id is BIGINT even where the
  // column is INT, so an id past 2^31 compares instead of failing to
  // parse), except text, which takes the type of its context (TEXT or
  // VARCHAR). The same SQL with other kinds is another prepared statement.
  std::string key(sql);
  std::vector<Oid> types(params.size(), 0);
  key += '\0';
  for (size_t i = 0; i < params.size(); ++i) {
    switch (params[i].kind()) {
      case SqlValue::Kind::kInt:
        types[i] = kInt8Oid;
        break;
      case SqlValue::Kind::kDouble:
        types[i] = kFloat8Oid;
        break;
      case SqlValue::Kind::kBool:
        types[i] = kBoolOid;
        break;
      case SqlValue::Kind::kBlob:
        types[i] = kByteaOid;
        break;
      case SqlValue::Kind::kText:
        if (params[i].AsString().find('\0') != std::string::npos) {
          const std::string text = params[i].AsString();
          return absl::InvalidArgumentError(absl::StrCat(
              "the text value \"", absl::CHexEscape(text.substr(0, 64)),
              text.size() > 64 ? "..." : "",
              "\" holds a NUL byte, which PostgreSQL cannot store"));
        }
        break;
      case SqlValue::Kind::kNull:
        break;
    }
    key += static_cast<char>('a' + static_cast<int>(params[i].kind()));
  }
  MLMDX_RETURN_IF_ERROR(EnterPipeline());
  const std::string* name = prepared_.Find(key);
  if (name == nullptr) {
    // Prepared in the same round trip as its first run; forgotten again if
    // the server refuses it.
    std::string fresh = absl::StrCat("mlmdx_", prepared_count_++);
    if (PQsendPrepare(conn_.get(), fresh.c_str(),
                      NumberPlaceholders(sql).c_str(),
                      static_cast<int>(types.size()), types.data()) != 1) {
      return SendFailed(absl::StrCat("cannot prepare `", sql, "`"));
    }
    PendingStatement prepare;
    prepare.context = absl::StrCat("cannot prepare `", sql, "`");
    prepare.prepared_key = key;
    pending_.push_back(std::move(prepare));
    auto evicted = prepared_.Insert(key, std::move(fresh));
    if (evicted.has_value()) {
      // Queued behind everything that may still run the evicted statement
      // in this pipeline, so the server drops it only after them. Names are
      // never reused, so should an earlier failure in the same round trip
      // make the server skip this, the leftover is merely unused.
      MLMDX_RETURN_IF_ERROR(SendUnprepared(
          absl::StrCat("DEALLOCATE ", evicted->second).c_str(), {}));
    }
    name = prepared_.Find(key);
  }
  // Text parameters, except blobs, which go as binary.
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  std::vector<int> lengths(params.size(), 0);
  std::vector<int> formats(params.size(), 0);
  for (size_t i = 0; i < params.size(); ++i) {
    const SqlValue& p = params[i];
    switch (p.kind()) {
      case SqlValue::Kind::kNull:
        continue;
      case SqlValue::Kind::kInt:
        texts[i] = absl::StrCat(p.AsInt());
        break;
      case SqlValue::Kind::kBool:
        texts[i] = p.AsInt() != 0 ? "t" : "f";
        break;
      case SqlValue::Kind::kDouble:
        texts[i] = absl::StrFormat("%.17g", p.AsDouble());
        break;
      case SqlValue::Kind::kText:
        texts[i] = p.AsString();
        break;
      case SqlValue::Kind::kBlob:
        texts[i] = p.AsString();
        formats[i] = 1;
        break;
    }
    values[i] = texts[i].c_str();
    lengths[i] = static_cast<int>(texts[i].size());
  }
  if (PQsendQueryPrepared(conn_.get(), name->c_str(),
                          static_cast<int>(params.size()), values.data(),
                          lengths.data(), formats.data(), 0) != 1) {
    return SendFailed(absl::StrCat("`", sql, "` failed"));
  }
  statement.context = absl::StrCat("`", sql, "` failed");
  pending_.push_back(std::move(statement));
  return absl::OkStatus();
}

absl::Status PostgresConnection::SendUnprepared(const char* sql,
                                                PendingStatement statement) {
  MLMDX_RETURN_IF_ERROR(EnterPipeline());
  if (PQsendQueryParams(conn_.get(), sql, 0, nullptr, nullptr, nullptr, nullptr,
                        0) != 1) {
    return SendFailed(absl::StrCat("`", sql, "` failed"));
  }
  statement.context = absl::StrCat("`", sql, "` failed");
  pending_.push_back(std::move(statement));
  return absl::OkStatus();
}

absl::Status PostgresConnection::Sync(Result* awaited) {
  if (pending_.empty() && PQpipelineStatus(conn_.get()) == PQ_PIPELINE_OFF) {
    return absl::OkStatus();
  }
  std::vector<PendingStatement> statements = std::move(pending_);
  pending_.clear();
  pg_conn* conn = conn_.get();
  CountRoundTrip();
  // Set once the answers stop making sense (the connection is gone): every
  // statement not yet answered then failed with it.
  absl::Status lost;
  if (PQpipelineSync(conn) != 1) lost = SendFailed("cannot send to PostgreSQL");
  absl::Status first_error;     // of this round trip
  absl::Status awaited_status;  // of the awaited statement itself
  for (PendingStatement& statement : statements) {
    Result result;
    if (lost.ok()) {
      result.reset(PQgetResult(conn));
      // Every statement has at least one result, and its results end with
      // a null; anything else means the connection broke.
      if (result == nullptr) {
        lost = SendFailed("the connection to PostgreSQL was lost");
      } else {
        for (int extra = 0; PGresult* more = PQgetResult(conn); ++extra) {
          PQclear(more);
          if (extra > 8 || PQstatus(conn) != CONNECTION_OK) break;
        }
      }
    }
    absl::Status status;
    if (!lost.ok()) {
      status = lost;
    } else if (PQresultStatus(result.get()) == PGRES_PIPELINE_ABORTED) {
      // Skipped by the server after an earlier statement failed.
      status = first_error.ok()
                   ? absl::AbortedError(absl::StrCat(
                         statement.context,
                         ": skipped after an earlier statement failed"))
                   : first_error;
    } else {
      status = ResultStatus(result.get(), statement.context);
    }
    if (!status.ok() && !statement.prepared_key.empty()) {
      prepared_.Erase(statement.prepared_key);
    }
    if (statement.awaited) {
      awaited_status = status;
      if (status.ok() && awaited != nullptr) *awaited = std::move(result);
    } else if (!status.ok()) {
      if (statement.map_error) status = statement.map_error(status);
      if (first_deferred_error_.ok()) first_deferred_error_ = status;
    } else if (statement.on_rows) {
      statement.on_rows(RowsOf(result.get()));
    }
    if (!status.ok() && first_error.ok()) first_error = status;
  }
  if (lost.ok()) {
    Result sync(PQgetResult(conn));
    if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      lost = SendFailed("the connection to PostgreSQL was lost");
    }
  }
  if (lost.ok() && PQexitPipelineMode(conn) != 1) {
    lost = SendFailed("cannot leave the pipeline");
  }
  // The first failure explains the rest: every later statement was
  // skipped because of it.
  if (!first_error.ok()) return first_error;
  if (!lost.ok()) return lost;
  return awaited_status;
}

absl::StatusOr<PostgresConnection::Result> PostgresConnection::Run(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  PendingStatement statement;
  statement.awaited = true;
  MLMDX_RETURN_IF_ERROR(Send(sql, params, std::move(statement)));
  Result result;
  MLMDX_RETURN_IF_ERROR(Sync(&result));
  return result;
}

absl::Status PostgresConnection::ExecuteDeferred(
    absl::string_view sql, absl::Span<const SqlValue> params,
    RowsCallback on_rows, ErrorMapper map_error) {
  PendingStatement statement;
  statement.on_rows = std::move(on_rows);
  statement.map_error = map_error;
  absl::Status sent = Send(sql, params, std::move(statement));
  if (!sent.ok()) {
    if (map_error) sent = map_error(sent);
    if (first_deferred_error_.ok()) first_deferred_error_ = sent;
    return sent;
  }
  // Bounded, so that neither side's socket buffer fills while the other
  // waits for it to read.
  if (pending_.size() >= kMaxPendingStatements) return Flush();
  return absl::OkStatus();
}

absl::Status PostgresConnection::Flush() {
  if (pending_.empty()) return absl::OkStatus();
  return Sync(nullptr);
}

absl::Status PostgresConnection::Begin(TransactionMode mode) {
  // Nothing is left over from an earlier transaction (Commit and Rollback
  // read every answer); if something were, it would belong to that one.
  (void)Flush();
  xid_ = -1;
  first_deferred_error_ = absl::OkStatus();
  // Sent with the transaction's first statement: a dropped connection
  // shows there, as UNAVAILABLE, before anything ran.
  if (mode == TransactionMode::kReadOnly) {
    return SendUnprepared("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                          PendingStatement());
  }
  MLMDX_RETURN_IF_ERROR(SendUnprepared("BEGIN ISOLATION LEVEL READ COMMITTED",
                                       PendingStatement()));
  // The id lets Commit() find out what happened to the transaction if the
  // connection breaks while it commits. The shared deletion lock
  // (kDeletionLockName) rides in the same statement: no extra round trip.
  PendingStatement id;
  id.on_rows = [this](const RecordSet& rows) {
    if (rows.rows.size() == 1) xid_ = rows.rows[0][0].AsInt();
    awaiting_xid_ = false;
  };
  awaiting_xid_ = true;
  static const std::string* const kBeginWrite = new std::string(
      absl::StrCat("SELECT txid_current(), "
                   "pg_advisory_xact_lock_shared(1835822456, hashtext('",
                   kDeletionLockName, "'))"));
  return SendUnprepared(kBeginWrite->c_str(), std::move(id));
}

absl::Status PostgresConnection::ResolveCommit(int64_t xid) {
  const absl::Time deadline =
      absl::Now() + absl::Milliseconds(options_.commit_outcome_timeout_ms);
  std::string last_error = "no answer";
  // Once the server has answered, the new connection is this one from then
  // on (nothing is prepared on it yet).
  const auto adopt = [this](std::unique_ptr<pg_conn, ConnDeleter> fresh) {
    conn_ = std::move(fresh);
    prepared_.Clear();
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
  };
  for (int attempt = 0; absl::Now() < deadline; ++attempt) {
    if (attempt > 0) absl::SleepFor(absl::Milliseconds(100));
    std::unique_ptr<pg_conn, ConnDeleter> fresh(Connect(options_));
    if (fresh == nullptr || PQstatus(fresh.get()) != CONNECTION_OK) {
      if (fresh != nullptr) last_error = PQerrorMessage(fresh.get());
      continue;
    }
    const std::string xid_text = absl::StrCat(xid);
    const char* values[] = {xid_text.c_str()};
    CountRoundTrip();
    Result status(PQexecParams(fresh.get(),
                               "SELECT txid_status(CAST($1 AS BIGINT))", 1,
                               nullptr, values, nullptr, nullptr, 0));
    if (PQresultStatus(status.get()) != PGRES_TUPLES_OK ||
        PQntuples(status.get()) != 1) {
      // After a crash the server hands out transaction ids from the last
      // one its WAL saw: an id "in the future" never wrote its commit
      // record, and can no longer commit.
      const char* sqlstate = PQresultErrorField(status.get(), PG_DIAG_SQLSTATE);
      if (sqlstate != nullptr && absl::string_view(sqlstate) == "22023" &&
          absl::StrContains(PQresultErrorMessage(status.get()),
                            "in the future")) {
        adopt(std::move(fresh));
        return absl::UnavailableError(
            "the connection to PostgreSQL broke during COMMIT and the server "
            "restarted without the transaction: it did not commit; retry");
      }
      last_error = PQresultErrorMessage(status.get());
      continue;
    }
    const std::string outcome =
        PQgetisnull(status.get(), 0, 0) ? "" : PQgetvalue(status.get(), 0, 0);
    // Still "in progress": the old session has not noticed it is gone.
    if (outcome == "in progress") continue;
    adopt(std::move(fresh));
    if (outcome == "committed") return absl::OkStatus();
    if (outcome == "aborted") {
      return absl::UnavailableError(
          "the connection to PostgreSQL broke during COMMIT and the "
          "transaction did not commit; retry");
    }
    break;  // NULL: the server no longer knows this transaction.
  }
  return absl::UnknownError(absl::StrCat(
      "the connection to PostgreSQL broke during COMMIT and whether the "
      "transaction committed could not be learned (",
      absl::StripTrailingAsciiWhitespace(last_error),
      "); the write may or may not have been applied: read before retrying"));
}

absl::Status PostgresConnection::Commit() {
  if (awaiting_xid_) {
    // The transaction's id must be known before COMMIT is sent, or a
    // connection lost during COMMIT would leave its outcome unknowable.
    awaiting_xid_ = false;
    MLMDX_RETURN_IF_ERROR(Flush());
  }
  const int64_t xid = xid_;
  xid_ = -1;
  PendingStatement commit;
  commit.awaited = true;
  Result result;
  absl::Status status = SendUnprepared("COMMIT", std::move(commit));
  if (status.ok()) status = Sync(&result);
  if (PQstatus(conn_.get()) != CONNECTION_OK && xid >= 0) {
    return ResolveCommit(xid);
  }
  MLMDX_RETURN_IF_ERROR(status);
  // A transaction that had failed ends with ROLLBACK, not an error.
  if (absl::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
    return absl::AbortedError(
        "the transaction was rolled back by the server; retry");
  }
  return absl::OkStatus();
}

void PostgresConnection::Rollback() {
  xid_ = -1;
  awaiting_xid_ = false;
  // The answers of statements still queued are of no use any more; one
  // that failed would make the server skip a ROLLBACK queued after it, so
  // the ROLLBACK goes on its own.
  (void)Flush();
  CountRoundTrip();
  Result result(PQexec(conn_.get(), "ROLLBACK"));
}

bool PostgresConnection::InTransaction() const {
  // In pipeline mode the status reads ACTIVE while answers are queued.
  const PGTransactionStatusType status = PQtransactionStatus(conn_.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR ||
         status == PQTRANS_ACTIVE;
}

absl::Status PostgresConnection::Listen(absl::string_view channel) {
  return ExecuteScript(absl::StrCat("LISTEN ", QuoteIdentifier(channel)));
}

absl::StatusOr<bool> PostgresConnection::WaitForNotification(
    absl::Duration timeout, int wake_fd) {
  pg_conn* conn = conn_.get();
  const auto lost = [conn]() {
    return absl::UnavailableError(
        absl::StrCat("the PostgreSQL connection listening for changes was "
                     "lost: ",
                     absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn))));
  };
  const auto consume = [conn]() {
    bool any = false;
    while (PGnotify* notification = PQnotifies(conn)) {
      any = true;
      PQfreemem(notification);
    }
    return any;
  };
  if (PQconsumeInput(conn) == 0) return lost();
  if (consume()) return true;
  pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {wake_fd, POLLIN, 0}};
  const int timeout_ms = static_cast<int>(
      std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout)));
  const int ready = poll(fds, wake_fd >= 0 ? 2 : 1, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return false;
    return absl::InternalError(absl::StrCat(
        "poll on the PostgreSQL connection failed: ", std::strerror(errno)));
  }
  if (ready == 0 || fds[0].revents == 0) return false;
  if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
    return lost();
  }
  return consume();
}

absl::Status PostgresConnection::ExecuteScript(absl::string_view sql) {
  // Several statements in one string need the simple protocol, which a
  // pipeline does not take: what is queued goes first.
  MLMDX_RETURN_IF_ERROR(Flush());
  CountRoundTrip();
  Result result(PQexec(conn_.get(), std::string(sql).c_str()));
  return ResultStatus(result.get(), absl::StrCat("`", sql, "` failed"));
}

absl::StatusOr<RecordSet> PostgresConnection::Query(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  RecordSet rows;
  MLMDX_RETURN_IF_ERROR(
      QueryEach(sql, params, [&rows](absl::Span<const SqlValue> row) {
        rows.rows.emplace_back(row.begin(), row.end());
        return absl::OkStatus();
      }));
  return rows;
}

absl::Status PostgresConnection::QueryEach(absl::string_view sql,
                                           absl::Span<const SqlValue> params,
                                           const RowCallback& row) {
  MLMDX_ASSIGN_OR_RETURN(Result result, Run(sql, params));
  const int columns = PQnfields(result.get());
  std::vector<SqlValue> values(columns);
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    for (int c = 0; c < columns; ++c) {
      values[c] = ColumnValue(result.get(), r, c);
    }
    MLMDX_RETURN_IF_ERROR(row(values));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> PostgresConnection::Insert(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  std::string statement(sql);
  if (!absl::StrContains(absl::AsciiStrToUpper(sql), "RETURNING")) {
    absl::StrAppend(&statement, " RETURNING id");
  }
  MLMDX_ASSIGN_OR_RETURN(Result result, Run(statement, params));
  if (PQntuples(result.get()) == 0 || PQnfields(result.get()) == 0) return 0;
  return ColumnValue(result.get(), 0, 0).AsInt();
}

absl::StatusOr<int64_t> PostgresConnection::Execute(
    absl::string_view sql, absl::Span<const SqlValue> params) {
  MLMDX_ASSIGN_OR_RETURN(Result result, Run(sql, params));
  int64_t changed = 0;
  (void)absl::SimpleAtoi(PQcmdTuples(result.get()), &changed);
  return changed;
}

absl::StatusOr<bool> PostgresConnection::TableExists(absl::string_view table) {
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      Query("SELECT 1 FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND lower(table_name) = lower(?)",
            {SqlValue::Text(std::string(table))}));
  return !rows.rows.empty();
}

}  // namespace mlmdx::store
