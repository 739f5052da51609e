#include "tests/crash_driver.h"

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mlmdx::testing {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// The name every bad PutExecution gives its last output artifact: it is
// taken, so the write fails with ALREADY_EXISTS after its new nodes.
constexpr char kTakenArtifactName[] = "crash-taken-name";

constexpr int kInput = ml_metadata::Event::INPUT;
constexpr int kOutput = ml_metadata::Event::OUTPUT;

// A type id no database of ours holds.
constexpr int64_t kMissingTypeId = int64_t{1} << 40;

absl::StatusOr<Rows> SqliteRows(const std::string& path,
                                const std::string& sql) {
  sqlite3* raw = nullptr;
  const int opened =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> db(raw,
                                                           &sqlite3_close_v2);
  if (opened != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("open ", path, ": ", sqlite3_errstr(opened)));
  }
  sqlite3_busy_timeout(db.get(), 10000);
  sqlite3_stmt* raw_stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw_stmt, nullptr) !=
      SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat(sql, ": ", sqlite3_errmsg(db.get())));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(
      raw_stmt, &sqlite3_finalize);
  Rows rows;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(stmt.get()); ++c) {
      const unsigned char* text = sqlite3_column_text(stmt.get(), c);
      row.push_back(text == nullptr ? "NULL"
                                    : reinterpret_cast<const char*>(text));
    }
    rows.push_back(std::move(row));
  }
  if (step != SQLITE_DONE) {
    return absl::InternalError(
        absl::StrCat(sql, ": ", sqlite3_errmsg(db.get())));
  }
  return rows;
}

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

// A call context with a deadline `ms` from now.
std::unique_ptr<grpc::ClientContext> CallContext(int ms) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(ms));
  return context;
}

// How many of `names` are in `stored`.
size_t CountPresent(const std::vector<std::string>& names,
                    const std::set<std::string>& stored) {
  return std::count_if(names.begin(), names.end(), [&](const std::string& n) {
    return stored.count(n) > 0;
  });
}

// How many of the rows `write` creates are in `stored`.
size_t RowsPresent(const WriteRecord& write, const StoredState& stored) {
  return CountPresent(write.artifacts, stored.artifacts) +
         CountPresent(write.executions, stored.executions) +
         CountPresent(write.contexts, stored.contexts) +
         CountPresent(write.events, stored.events) +
         CountPresent(write.attributions, stored.attributions) +
         CountPresent(write.associations, stored.associations);
}

// Lines for the members of `a` missing from `b`, labelled.
void Difference(const std::set<std::string>& a, const std::set<std::string>& b,
                const std::string& label, std::vector<std::string>* out) {
  for (const std::string& key : a) {
    if (b.count(key) == 0) out->push_back(absl::StrCat(label, " ", key));
  }
}

// Differences between two views of the same rows.
void CompareSets(const std::string& what, const std::set<std::string>& in_db,
                 const std::set<std::string>& seen, const std::string& seen_by,
                 std::vector<std::string>* out) {
  Difference(in_db, seen,
             absl::StrCat(what, " in the database, not in ", seen_by, ":"),
             out);
  Difference(seen, in_db,
             absl::StrCat(what, " in ", seen_by, ", not in the database:"),
             out);
}

}  // namespace

WriteOutcome ClassifyOutcome(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return WriteOutcome::kAcknowledged;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
      return WriteOutcome::kUnknown;
    default:
      return WriteOutcome::kDefiniteError;
  }
}

std::string EventKey(const std::string& execution, const std::string& artifact,
                     int type) {
  return absl::StrCat(execution, "|", artifact, "|", type);
}

std::vector<std::string> CheckHistory(const std::vector<WriteRecord>& history,
                                      const StoredState& stored) {
  std::vector<std::string> violations;
  for (const WriteRecord& write : history) {
    const size_t parts = write.artifacts.size() + write.executions.size() +
                         write.contexts.size() + write.events.size() +
                         write.attributions.size() + write.associations.size();
    const size_t present = RowsPresent(write, stored);
    const std::string found =
        absl::StrCat(present, " of its ", parts, " rows are in the database");
    if (write.expect_error && write.outcome == WriteOutcome::kAcknowledged) {
      violations.push_back(
          absl::StrCat(write.label, ": a bad write was acknowledged"));
    }
    switch (write.outcome) {
      case WriteOutcome::kAcknowledged:
        if (present != parts) {
          violations.push_back(
              absl::StrCat(write.label, ": acknowledged, but only ", found));
        }
        break;
      case WriteOutcome::kDefiniteError:
        if (present != 0) {
          violations.push_back(absl::StrCat(write.label, ": refused with code ",
                                            static_cast<int>(write.code),
                                            ", but ", found));
        }
        break;
      case WriteOutcome::kUnknown:
        if (present != 0 && present != parts) {
          violations.push_back(absl::StrCat(
              write.label, ": outcome unknown and applied in part: ", found));
        }
        break;
    }
  }
  return violations;
}

CrashDriver::CrashDriver(TestServer& server, CrashDriverOptions options)
    : server_(server), options_(options) {}

absl::Status CrashDriver::Start() {
  absl::Status started = server_.Start();
  if (!started.ok()) return started;
  auto stub = server_.NewStub();
  {
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name("CrashData");
    ml_metadata::PutArtifactTypeResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status =
        stub->PutArtifactType(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    artifact_type_ = response.type_id();
  }
  {
    ml_metadata::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name("CrashStep");
    ml_metadata::PutExecutionTypeResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status =
        stub->PutExecutionType(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    execution_type_ = response.type_id();
  }
  {
    ml_metadata::PutContextTypeRequest request;
    request.mutable_context_type()->set_name("CrashRun");
    ml_metadata::PutContextTypeResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status =
        stub->PutContextType(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    context_type_ = response.type_id();
  }
  ml_metadata::PutArtifactsRequest request;
  ml_metadata::Artifact* taken = request.add_artifacts();
  taken->set_type_id(artifact_type_);
  taken->set_name(kTakenArtifactName);
  ml_metadata::PutArtifactsResponse response;
  auto context = CallContext(options_.write_deadline_ms);
  return FromGrpc(stub->PutArtifacts(context.get(), request, &response));
}

void CrashDriver::RunClient(int client, const std::string& prefix,
                            uint64_t seed, const std::atomic<bool>* stop,
                            std::vector<WriteRecord>* records) const {
  // A connection per client, as separate processes would have: channels
  // with different arguments do not share one.
  grpc::ChannelArguments arguments;
  arguments.SetInt("mlmdx.client", client);
  auto stub =
      ml_metadata::MetadataStoreService::NewStub(grpc::CreateCustomChannel(
          server_.address(), grpc::InsecureChannelCredentials(), arguments));
  std::mt19937_64 random(seed);
  for (int sequence = 0; !stop->load(); ++sequence) {
    const std::string base = absl::StrCat(prefix, "w", client, "-", sequence);
    WriteRecord record;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status;
    const int choice = static_cast<int>(random() % 10);
    if (choice < 5 || choice == 8) {
      // An execution with two inputs, two outputs and a new run context;
      // the bad variant's last output takes a name already taken, so it
      // fails after its other rows were written in its transaction.
      const bool bad = choice == 8;
      record.label = absl::StrCat(
          base, bad ? " PutExecution(name clash)" : " PutExecution");
      record.expect_error = bad;
      ml_metadata::PutExecutionRequest request;
      const std::string execution = base + "-e";
      const std::string run = base + "-run";
      request.mutable_execution()->set_type_id(execution_type_);
      request.mutable_execution()->set_name(execution);
      record.executions.push_back(execution);
      ml_metadata::Context* context_node = request.add_contexts();
      context_node->set_type_id(context_type_);
      context_node->set_name(run);
      record.contexts.push_back(run);
      record.associations.push_back(run + "|" + execution);
      for (int i = 0; i < 4; ++i) {
        const int type = i < 2 ? kInput : kOutput;
        const bool clash = bad && i == 3;
        const std::string artifact =
            clash ? kTakenArtifactName
                  : absl::StrCat(base, i < 2 ? "-in" : "-out", i % 2);
        auto* pair = request.add_artifact_event_pairs();
        pair->mutable_artifact()->set_type_id(artifact_type_);
        pair->mutable_artifact()->set_name(artifact);
        pair->mutable_artifact()->set_uri(
            absl::StrCat("file:///crash/", artifact));
        pair->mutable_event()->set_type(
            static_cast<ml_metadata::Event::Type>(type));
        if (clash) continue;
        record.artifacts.push_back(artifact);
        record.events.push_back(EventKey(execution, artifact, type));
        record.attributions.push_back(run + "|" + artifact);
      }
      ml_metadata::PutExecutionResponse response;
      status = stub->PutExecution(context.get(), request, &response);
    } else if (choice < 7 || choice == 9) {
      // Three artifacts; the bad variant's third names a missing type.
      const bool bad = choice == 9;
      record.label = absl::StrCat(
          base, bad ? " PutArtifacts(missing type)" : " PutArtifacts");
      record.expect_error = bad;
      ml_metadata::PutArtifactsRequest request;
      for (int i = 0; i < 3; ++i) {
        const std::string artifact = absl::StrCat(base, "-a", i);
        ml_metadata::Artifact* node = request.add_artifacts();
        node->set_type_id(bad && i == 2 ? kMissingTypeId : artifact_type_);
        node->set_name(artifact);
        if (!(bad && i == 2)) record.artifacts.push_back(artifact);
      }
      ml_metadata::PutArtifactsResponse response;
      status = stub->PutArtifacts(context.get(), request, &response);
    } else {
      record.label = absl::StrCat(base, " PutContexts");
      ml_metadata::PutContextsRequest request;
      for (int i = 0; i < 2; ++i) {
        const std::string name = absl::StrCat(base, "-x", i);
        ml_metadata::Context* node = request.add_contexts();
        node->set_type_id(context_type_);
        node->set_name(name);
        record.contexts.push_back(name);
      }
      ml_metadata::PutContextsResponse response;
      status = stub->PutContexts(context.get(), request, &response);
    }
    record.code = status.error_code();
    record.outcome = ClassifyOutcome(record.code);
    records->push_back(std::move(record));
  }
}

absl::StatusOr<CycleReport> CrashDriver::RunCycle() {
  const int cycle = ++cycle_;
  const std::string prefix = absl::StrCat("c", cycle, "-");
  std::mt19937_64 random(options_.seed * 1000003 + cycle);
  CycleReport report;
  report.kill_delay_ms =
      options_.min_kill_delay_ms +
      static_cast<int>(random() % (options_.max_kill_delay_ms -
                                   options_.min_kill_delay_ms + 1));

  std::atomic<bool> stop{false};
  std::vector<std::vector<WriteRecord>> records(options_.clients);
  std::vector<std::thread> clients;
  for (int c = 0; c < options_.clients; ++c) {
    const uint64_t client_seed = random();
    clients.emplace_back([this, c, &prefix, client_seed, &stop, &records] {
      RunClient(c, prefix, client_seed, &stop, &records[c]);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(report.kill_delay_ms));
  // Writes in flight now meet the kill; none start after it, since those
  // would only meet a closed port.
  stop = true;
  server_.Kill();
  for (std::thread& client : clients) client.join();

  absl::Status restarted = server_.Start();
  if (!restarted.ok()) return restarted;

  std::vector<WriteRecord> history;
  for (std::vector<WriteRecord>& client : records) {
    for (WriteRecord& record : client) history.push_back(std::move(record));
  }
  absl::StatusOr<StoredState> in_db = ReadDatabase(prefix);
  if (!in_db.ok()) return in_db.status();
  report.violations = CheckHistory(history, *in_db);
  for (const WriteRecord& write : history) {
    switch (write.outcome) {
      case WriteOutcome::kAcknowledged:
        ++report.acknowledged;
        break;
      case WriteOutcome::kDefiniteError:
        ++report.definite_errors;
        break;
      case WriteOutcome::kUnknown:
        ++report.unknown;
        if (RowsPresent(write, *in_db) > 0) {
          ++report.unknown_applied;
        }
        break;
    }
  }

  absl::StatusOr<StoredState> seen = ReadThroughServer(prefix);
  if (!seen.ok()) return seen.status();
  CompareSets("artifact", in_db->artifacts, seen->artifacts, "the server",
              &report.violations);
  CompareSets("execution", in_db->executions, seen->executions, "the server",
              &report.violations);
  CompareSets("context", in_db->contexts, seen->contexts, "the server",
              &report.violations);
  CompareSets("event", in_db->events, seen->events, "the server",
              &report.violations);

  absl::StatusOr<std::vector<std::string>> index = CompareIndex(prefix);
  if (!index.ok()) return index.status();
  report.violations.insert(report.violations.end(), index->begin(),
                           index->end());

  if (server_.backend() == TestBackend::kSqlite) {
    absl::StatusOr<Rows> integrity = Query("PRAGMA integrity_check");
    if (!integrity.ok()) return integrity.status();
    if (integrity->size() != 1 || (*integrity)[0][0] != "ok") {
      std::string text;
      for (const auto& row : *integrity) absl::StrAppend(&text, row[0], "; ");
      report.violations.push_back("PRAGMA integrity_check: " + text);
    }
  }
  return report;
}

absl::StatusOr<Rows> CrashDriver::Query(const std::string& sql) const {
  return server_.backend() == TestBackend::kPostgres
             ? TryQueryPostgresRows(server_.db_path(), sql)
             : SqliteRows(server_.db_path(), sql);
}

absl::StatusOr<StoredState> CrashDriver::ReadDatabase(
    const std::string& prefix) const {
  // Names are ours: letters, digits and '-', so they need no quoting.
  const std::string like = absl::StrCat("'", prefix, "%'");
  StoredState state;
  const struct {
    std::string sql;
    std::set<std::string>* into;
  } reads[] = {
      {"SELECT name FROM Artifact WHERE name LIKE " + like, &state.artifacts},
      {"SELECT name FROM Execution WHERE name LIKE " + like, &state.executions},
      {"SELECT name FROM Context WHERE name LIKE " + like, &state.contexts},
      {"SELECT e.name || '|' || a.name || '|' || ev.type FROM Event ev "
       "JOIN Execution e ON e.id = ev.execution_id "
       "JOIN Artifact a ON a.id = ev.artifact_id WHERE e.name LIKE " +
           like,
       &state.events},
      {"SELECT c.name || '|' || a.name FROM Attribution t "
       "JOIN Context c ON c.id = t.context_id "
       "JOIN Artifact a ON a.id = t.artifact_id WHERE c.name LIKE " +
           like,
       &state.attributions},
      {"SELECT c.name || '|' || e.name FROM Association t "
       "JOIN Context c ON c.id = t.context_id "
       "JOIN Execution e ON e.id = t.execution_id WHERE c.name LIKE " +
           like,
       &state.associations},
  };
  for (const auto& read : reads) {
    absl::StatusOr<Rows> rows = Query(read.sql);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows) read.into->insert(row[0]);
  }
  return state;
}

absl::StatusOr<StoredState> CrashDriver::ReadThroughServer(
    const std::string& prefix) const {
  auto stub = server_.NewStub();
  StoredState state;
  const std::string filter = absl::StrCat("name LIKE '", prefix, "%'");
  std::map<int64_t, std::string> execution_names;
  std::map<int64_t, std::string> artifact_names;

  std::string token;
  do {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_max_result_size(100);
    request.mutable_options()->set_filter_query(filter);
    if (!token.empty()) request.mutable_options()->set_next_page_token(token);
    ml_metadata::GetArtifactsResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status = stub->GetArtifacts(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    for (const auto& node : response.artifacts()) {
      state.artifacts.insert(node.name());
      artifact_names[node.id()] = node.name();
    }
    token = response.next_page_token();
  } while (!token.empty());
  do {
    ml_metadata::GetExecutionsRequest request;
    request.mutable_options()->set_max_result_size(100);
    request.mutable_options()->set_filter_query(filter);
    if (!token.empty()) request.mutable_options()->set_next_page_token(token);
    ml_metadata::GetExecutionsResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status =
        stub->GetExecutions(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    for (const auto& node : response.executions()) {
      state.executions.insert(node.name());
      execution_names[node.id()] = node.name();
    }
    token = response.next_page_token();
  } while (!token.empty());
  do {
    ml_metadata::GetContextsRequest request;
    request.mutable_options()->set_max_result_size(100);
    request.mutable_options()->set_filter_query(filter);
    if (!token.empty()) request.mutable_options()->set_next_page_token(token);
    ml_metadata::GetContextsResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status = stub->GetContexts(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    for (const auto& node : response.contexts()) {
      state.contexts.insert(node.name());
    }
    token = response.next_page_token();
  } while (!token.empty());

  // Events of this cycle's executions, 100 executions a request.
  std::vector<int64_t> execution_ids;
  for (const auto& [id, name] : execution_names) execution_ids.push_back(id);
  for (size_t begin = 0; begin < execution_ids.size(); begin += 100) {
    ml_metadata::GetEventsByExecutionIDsRequest request;
    for (size_t i = begin; i < std::min(begin + 100, execution_ids.size());
         ++i) {
      request.add_execution_ids(execution_ids[i]);
    }
    ml_metadata::GetEventsByExecutionIDsResponse response;
    auto context = CallContext(options_.write_deadline_ms);
    grpc::Status status =
        stub->GetEventsByExecutionIDs(context.get(), request, &response);
    if (!status.ok()) return FromGrpc(status);
    for (const auto& event : response.events()) {
      // An artifact outside the listing (the taken name) keeps its id.
      auto artifact = artifact_names.find(event.artifact_id());
      state.events.insert(EventKey(execution_names[event.execution_id()],
                                   artifact == artifact_names.end()
                                       ? absl::StrCat("#", event.artifact_id())
                                       : artifact->second,
                                   event.type()));
    }
  }
  return state;
}

absl::StatusOr<std::vector<std::string>> CrashDriver::CompareIndex(
    const std::string& prefix) const {
  auto stub = server_.NewStub();
  std::vector<std::string> differences;
  const std::string like = absl::StrCat("'", prefix, "%'");
  // Each pass starts GetLineageSubgraph from a chunk of this cycle's
  // nodes of one kind (at most 100, MLMD's limit on starting nodes) and
  // compares the edges the index holds at those nodes with the database's.
  // From artifacts, one hop reaches every event and attribution of the
  // chunk; from executions, zero hops give their associations.
  struct Pass {
    bool from_artifacts;
    const char* table;
  };
  for (const Pass pass : {Pass{true, "Artifact"}, Pass{false, "Execution"}}) {
    absl::StatusOr<Rows> ids =
        Query(absl::StrCat("SELECT id FROM ", pass.table, " WHERE name LIKE ",
                           like, " ORDER BY id"));
    if (!ids.ok()) return ids.status();
    for (size_t begin = 0; begin < ids->size(); begin += 100) {
      const size_t end = std::min(begin + 100, ids->size());
      std::vector<std::string> chunk;
      for (size_t i = begin; i < end; ++i) chunk.push_back((*ids)[i][0]);
      const std::string in_list = absl::StrJoin(chunk, ", ");
      const std::set<std::string> chunk_ids(chunk.begin(), chunk.end());

      ml_metadata::GetLineageSubgraphRequest request;
      auto* query = request.mutable_lineage_subgraph_query_options();
      const std::string filter =
          absl::StrCat("id >= ", chunk.front(), " AND id <= ", chunk.back(),
                       " AND name LIKE ", like);
      if (pass.from_artifacts) {
        query->mutable_starting_artifacts()->set_filter_query(filter);
        query->set_max_num_hops(1);
      } else {
        query->mutable_starting_executions()->set_filter_query(filter);
        query->set_max_num_hops(0);
      }
      ml_metadata::GetLineageSubgraphResponse response;
      auto context = CallContext(options_.write_deadline_ms);
      grpc::Status status =
          stub->GetLineageSubgraph(context.get(), request, &response);
      if (!status.ok()) return FromGrpc(status);
      const ml_metadata::LineageGraph& graph = response.lineage_subgraph();

      std::set<std::string> index_edges;
      std::set<std::string> db_edges;
      std::vector<std::string> sql;
      if (pass.from_artifacts) {
        for (const auto& event : graph.events()) {
          if (chunk_ids.count(absl::StrCat(event.artifact_id())) == 0) continue;
          index_edges.insert(absl::StrCat("event ", event.execution_id(), "|",
                                          event.artifact_id(), "|",
                                          event.type()));
        }
        for (const auto& link : graph.attributions()) {
          if (chunk_ids.count(absl::StrCat(link.artifact_id())) == 0) continue;
          index_edges.insert(absl::StrCat("attribution ", link.context_id(),
                                          "|", link.artifact_id()));
        }
        sql = {absl::StrCat("SELECT 'event ' || execution_id || '|' || "
                            "artifact_id || '|' || type FROM Event "
                            "WHERE artifact_id IN (",
                            in_list, ")"),
               absl::StrCat("SELECT 'attribution ' || context_id || '|' || "
                            "artifact_id FROM Attribution "
                            "WHERE artifact_id IN (",
                            in_list, ")")};
      } else {
        for (const auto& link : graph.associations()) {
          if (chunk_ids.count(absl::StrCat(link.execution_id())) == 0) {
            continue;
          }
          index_edges.insert(absl::StrCat("association ", link.context_id(),
                                          "|", link.execution_id()));
        }
        sql = {
            absl::StrCat("SELECT 'association ' || context_id || '|' || "
                         "execution_id FROM Association "
                         "WHERE execution_id IN (",
                         in_list, ")")};
      }
      for (const std::string& statement : sql) {
        absl::StatusOr<Rows> rows = Query(statement);
        if (!rows.ok()) return rows.status();
        for (const auto& row : *rows) db_edges.insert(row[0]);
      }
      CompareSets("edge", db_edges, index_edges, "the lineage index",
                  &differences);
    }
  }
  return differences;
}

}  // namespace mlmdx::testing
