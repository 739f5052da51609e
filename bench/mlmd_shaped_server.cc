#include "bench/mlmd_shaped_server.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "util/status_macros.h"

namespace mlmdx::bench {
namespace {

using ml_metadata::Artifact;
using ml_metadata::ArtifactType;
using ml_metadata::Association;
using ml_metadata::Attribution;
using ml_metadata::Context;
using ml_metadata::ContextType;
using ml_metadata::Event;
using ml_metadata::Execution;
using ml_metadata::ExecutionType;
using ml_metadata::LineageGraph;
using ml_metadata::LineageSubgraphQueryOptions;

// MLMD's schema version these queries are written for.
constexpr int64_t kSchemaVersion = 10;
// MLMD's cap on max_num_hops and its listing cap (100 + 1 row).
constexpr int64_t kMaxNumHops = 100;
constexpr int kStartingNodesLimit = 101;
// Type.type_kind values.
constexpr int kExecutionKind = 0;
constexpr int kArtifactKind = 1;
constexpr int kContextKind = 2;

// What a SQL NULL becomes in a row of strings: the reader must tell it
// apart from "" (e.g. an unset type version), as MLMD's marker does.
constexpr absl::string_view kNullMarker = "__MLMD_NULL__";

// The rows of one statement, every value copied into a string (MLMD's
// RecordSet, without the protobuf).
struct RecordSet {
  std::vector<std::string> column_names;
  std::vector<std::vector<std::string>> records;
};

bool IsNull(const std::string& value) { return value == kNullMarker; }

int64_t ToInt(const std::string& value) {
  int64_t number = 0;
  (void)absl::SimpleAtoi(value, &number);
  return number;
}

// sqlite3_exec callback: appends one row, taking the column names from the
// first row, like MLMD's ConvertSqliteResultsToRecordSet.
int CopyRow(void* out, int column_count, char** values, char** names) {
  if (column_count == 0 || out == nullptr) return SQLITE_OK;
  auto* set = static_cast<RecordSet*>(out);
  const bool names_known =
      set->column_names.size() == static_cast<size_t>(column_count);
  if (!names_known) set->column_names.clear();
  std::vector<std::string>& row = set->records.emplace_back();
  row.reserve(column_count);
  for (int i = 0; i < column_count; ++i) {
    if (!names_known) set->column_names.emplace_back(names[i]);
    row.emplace_back(values[i] != nullptr ? absl::string_view(values[i])
                                          : kNullMarker);
  }
  return SQLITE_OK;
}

// MLMD's busy handler: wait a uniform 100-300 ms and retry, 10 times at
// most. Only runs when another connection holds a conflicting lock.
int SleepThenRetry(void* /*unused*/, int retries_so_far) {
  if (retries_so_far >= 10) return 0;
  std::minstd_rand0 random(absl::ToUnixMillis(absl::Now()));
  std::uniform_int_distribution<int> millis(100, 300);
  absl::SleepFor(absl::Milliseconds(millis(random)));
  return 1;
}

// A string literal the way MLMD binds one: single quotes, escaped with
// sqlite3's %q.
std::string Quote(absl::string_view value) {
  const std::string text(value);
  char* escaped = sqlite3_mprintf("%q", text.c_str());
  std::string result = absl::StrCat("'", escaped, "'");
  sqlite3_free(escaped);
  return result;
}

// One request's connection: opened at the start of the RPC and closed at
// its end, as MLMD's server does. Counts every statement into the phase
// that is current.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& db_path, MlmdStatementCounts* counts) {
    sqlite3* db = nullptr;
    const int flags =
        SQLITE_OPEN_URI | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(db_path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string message = db != nullptr ? sqlite3_errmsg(db) : "no memory";
      sqlite3_close(db);
      return absl::InternalError(
          absl::StrCat("Cannot connect sqlite3 database: ", message));
    }
    sqlite3_busy_handler(db, &SleepThenRetry, nullptr);
    return std::unique_ptr<Connection>(new Connection(db, counts));
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close(db_); }

  // Runs `sql`; its rows go to `rows` when given.
  absl::Status Execute(const std::string& sql, RecordSet* rows = nullptr) {
    ++*phase_;
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), &CopyRow, rows, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      if (absl::StrContains(message, "database is locked")) {
        return absl::AbortedError(
            "Concurrent writes aborted after max number of retries.");
      }
      return absl::InternalError(absl::StrCat(
          "Error when executing query: ", message, " query: ", sql));
    }
    return absl::OkStatus();
  }

  // BEGIN; body; COMMIT, or ROLLBACK when the body fails. The body's
  // statements count into `*phase`, the transaction's own into
  // transaction_control.
  absl::Status InTransaction(int* phase,
                             const std::function<absl::Status()>& body) {
    phase_ = &counts_->transaction_control;
    if (absl::Status begun = Execute("BEGIN;"); !begun.ok()) return begun;
    phase_ = phase;
    const absl::Status status = body();
    phase_ = &counts_->transaction_control;
    if (!status.ok()) {
      (void)Execute("ROLLBACK;");
      return status;
    }
    return Execute("COMMIT;");
  }

 private:
  Connection(sqlite3* db, MlmdStatementCounts* counts)
      : db_(db), counts_(counts), phase_(&counts->transaction_control) {}

  sqlite3* db_;
  MlmdStatementCounts* counts_;
  int* phase_;
};

// ---------------------------------------------------------------------------
// Transaction 1: the schema-presence check MLMD runs when it opens a store.

struct TableProbe {
  const char* table;
  std::vector<const char*> columns;
};

// The 15 tables of schema v10 with the columns MLMD's probes select, in the
// order MLMD probes them.
const std::vector<TableProbe>& TableProbes() {
  static const auto* const kProbes = new std::vector<TableProbe>{
      {"Type",
       {"id", "name", "version", "type_kind", "description", "input_type",
        "output_type"}},
      {"ParentType", {"type_id", "parent_type_id"}},
      {"TypeProperty", {"type_id", "name", "data_type"}},
      {"Artifact",
       {"id", "type_id", "uri", "state", "name", "create_time_since_epoch",
        "last_update_time_since_epoch"}},
      {"ArtifactProperty",
       {"artifact_id", "name", "is_custom_property", "int_value",
        "double_value", "string_value", "byte_value", "proto_value",
        "bool_value"}},
      {"Execution",
       {"id", "type_id", "last_known_state", "name", "create_time_since_epoch",
        "last_update_time_since_epoch"}},
      {"ExecutionProperty",
       {"execution_id", "name", "is_custom_property", "int_value",
        "double_value", "string_value", "byte_value", "proto_value",
        "bool_value"}},
      {"Event",
       {"id", "artifact_id", "execution_id", "type",
        "milliseconds_since_epoch"}},
      {"EventPath", {"event_id", "is_index_step", "step_index", "step_key"}},
      {"MLMDEnv", {"schema_version"}},
      {"Context",
       {"id", "type_id", "name", "create_time_since_epoch",
        "last_update_time_since_epoch"}},
      {"ParentContext", {"context_id", "parent_context_id"}},
      {"ContextProperty",
       {"context_id", "name", "is_custom_property", "int_value", "double_value",
        "string_value", "byte_value", "proto_value", "bool_value"}},
      {"Association", {"id", "context_id", "execution_id"}},
      {"Attribution", {"id", "context_id", "artifact_id"}},
  };
  return *kProbes;
}

std::string ProbeQuery(const TableProbe& probe) {
  const std::string columns =
      absl::StrJoin(probe.columns, ", ", [](std::string* out, const char* c) {
        absl::StrAppend(out, "`", c, "`");
      });
  // MLMD reads MLMDEnv whole (it must have exactly one row).
  const char* limit =
      absl::string_view(probe.table) == "MLMDEnv" ? "" : " LIMIT 1";
  return absl::StrCat(" SELECT ", columns, " FROM `", probe.table, "`", limit,
                      "; ");
}

absl::Status CheckSchema(Connection& connection) {
  RecordSet version;
  if (absl::Status read = connection.Execute(
          " SELECT `schema_version` FROM `MLMDEnv`; ", &version);
      !read.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("not an MLMD database: ", read.message()));
  }
  if (version.records.size() != 1) {
    return absl::AbortedError("MLMDEnv must hold exactly one schema_version");
  }
  if (ToInt(version.records[0][0]) != kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "schema version ", version.records[0][0], " is not ", kSchemaVersion));
  }
  // Every probe runs, as in MLMD, which then judges the set of failures.
  std::vector<std::string> missing;
  for (const TableProbe& probe : TableProbes()) {
    RecordSet rows;
    if (!connection.Execute(ProbeQuery(probe), &rows).ok()) {
      missing.push_back(probe.table);
    }
  }
  if (!missing.empty()) {
    return absl::AbortedError(absl::StrCat("tables missing or incomplete: ",
                                           absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Transaction 2: the simple-type upsert, which finds all nine types and so
// writes nothing.

struct SimpleType {
  const char* name;
  int kind;
};

constexpr SimpleType kSimpleTypes[] = {
    {"mlmd.Dataset", kArtifactKind},  {"mlmd.Model", kArtifactKind},
    {"mlmd.Metrics", kArtifactKind},  {"mlmd.Statistics", kArtifactKind},
    {"mlmd.Train", kExecutionKind},   {"mlmd.Transform", kExecutionKind},
    {"mlmd.Process", kExecutionKind}, {"mlmd.Evaluate", kExecutionKind},
    {"mlmd.Deploy", kExecutionKind},
};

std::string PropertiesOfTypesQuery(const std::vector<int64_t>& type_ids) {
  return absl::StrCat(
      " SELECT `type_id`, `name` as `key`, `data_type` as `value` "
      " from `TypeProperty` WHERE `type_id` IN (",
      absl::StrJoin(type_ids, ", "), "); ");
}

absl::Status CheckSimpleTypes(Connection& connection) {
  for (const SimpleType& type : kSimpleTypes) {
    RecordSet found;
    MLMDX_RETURN_IF_ERROR(connection.Execute(
        absl::StrCat(" SELECT `id`, `name`, `version`, `description`, "
                     "`external_id`, `input_type`, `output_type` FROM `Type` "
                     " WHERE name = ",
                     Quote(type.name),
                     " AND version IS NULL AND type_kind = ", type.kind, "; "),
        &found));
    if (found.records.empty()) {
      // MLMD would insert it; the benchmark never writes.
      return absl::FailedPreconditionError(
          absl::StrCat("simple type ", type.name, " is missing"));
    }
    const int64_t type_id = ToInt(found.records[0][0]);
    RecordSet properties;
    MLMDX_RETURN_IF_ERROR(
        connection.Execute(PropertiesOfTypesQuery({type_id}), &properties));
    RecordSet parents;
    MLMDX_RETURN_IF_ERROR(connection.Execute(
        absl::StrCat(" SELECT `type_id`, `parent_type_id` "
                     " FROM `ParentType` WHERE `type_id` IN (",
                     type_id, "); "),
        &parents));
    // The stored type has no version and at most the properties of the
    // simple type (none): consistent, so nothing is updated.
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Transaction 3: GetLineageSubgraph's body.

bool IsInputLike(int type) {
  return type == Event::DECLARED_INPUT || type == Event::INPUT ||
         type == Event::INTERNAL_INPUT;
}
bool IsOutputLike(int type) {
  return type == Event::DECLARED_OUTPUT || type == Event::OUTPUT ||
         type == Event::INTERNAL_OUTPUT || type == Event::PENDING_OUTPUT;
}

// spec/lineage.md §1: which events a hop may follow.
bool FollowsDirection(LineageSubgraphQueryOptions::Direction direction,
                      bool from_artifacts, int type) {
  switch (direction) {
    case LineageSubgraphQueryOptions::UPSTREAM:
      return from_artifacts ? IsOutputLike(type) : IsInputLike(type);
    case LineageSubgraphQueryOptions::DOWNSTREAM:
      return from_artifacts ? IsInputLike(type) : IsOutputLike(type);
    default:
      return true;
  }
}

// The only starting filter supported: `id = N`.
absl::StatusOr<int64_t> ParseIdEqualsFilter(absl::string_view filter) {
  absl::string_view rest = absl::StripAsciiWhitespace(filter);
  int64_t id = 0;
  if (absl::ConsumePrefix(&rest, "id")) {
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (absl::ConsumePrefix(&rest, "=") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &id)) {
      return id;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "only `id = N` starting filters are reproduced, got: ", filter));
}

// The events of `node_ids` with their paths: one Event query and, when it
// returned rows, one EventPath query (MLMD's FindEventsBy{Artifacts,
// Executions}). Empty when the nodes have no events.
absl::StatusOr<std::vector<Event>> FindEvents(
    Connection& connection, bool of_artifacts,
    const std::vector<int64_t>& node_ids) {
  std::vector<Event> events;
  if (node_ids.empty()) return events;
  RecordSet event_rows;
  MLMDX_RETURN_IF_ERROR(connection.Execute(
      absl::StrCat(" SELECT `id`, `artifact_id`, `execution_id`, "
                   " `type`, `milliseconds_since_epoch` "
                   " from `Event` "
                   " WHERE `",
                   of_artifacts ? "artifact_id" : "execution_id", "` IN (",
                   absl::StrJoin(node_ids, ", "), "); "),
      &event_rows));
  if (event_rows.records.empty()) return events;

  std::vector<int64_t> event_ids;
  absl::flat_hash_map<int64_t, size_t> position_of_event;
  events.reserve(event_rows.records.size());
  event_ids.reserve(event_rows.records.size());
  for (const std::vector<std::string>& row : event_rows.records) {
    const int64_t event_id = ToInt(row[0]);
    position_of_event[event_id] = events.size();
    event_ids.push_back(event_id);
    Event& event = events.emplace_back();
    event.set_artifact_id(ToInt(row[1]));
    event.set_execution_id(ToInt(row[2]));
    event.set_type(static_cast<Event::Type>(ToInt(row[3])));
    if (!IsNull(row[4])) event.set_milliseconds_since_epoch(ToInt(row[4]));
  }
  RecordSet path_rows;
  MLMDX_RETURN_IF_ERROR(connection.Execute(
      absl::StrCat(" SELECT `event_id`, `is_index_step`, `step_index`, "
                   "`step_key` from `EventPath` WHERE `event_id` IN (",
                   absl::StrJoin(event_ids, ", "), "); "),
      &path_rows));
  for (const std::vector<std::string>& row : path_rows.records) {
    const auto it = position_of_event.find(ToInt(row[0]));
    if (it == position_of_event.end()) continue;
    auto* step = events[it->second].mutable_path()->add_steps();
    if (ToInt(row[1]) != 0) {
      step->set_index(ToInt(row[2]));
    } else {
      step->set_key(row[3]);
    }
  }
  return events;
}

// One hop (MLMD's ExpandLineageSubgraphImpl without ending nodes): returns
// the newly reached nodes and appends the emitted events.
absl::StatusOr<std::vector<int64_t>> ExpandOneHop(
    Connection& connection, bool from_artifacts,
    LineageSubgraphQueryOptions::Direction direction,
    const std::vector<int64_t>& frontier,
    absl::flat_hash_set<int64_t>& visited_targets,
    std::vector<Event>& emitted) {
  absl::StatusOr<std::vector<Event>> fetched =
      FindEvents(connection, from_artifacts, frontier);
  if (!fetched.ok()) return fetched.status();
  std::vector<int64_t> reached;
  if (fetched->empty()) return reached;

  std::vector<const Event*> followed;
  for (const Event& event : *fetched) {
    if (FollowsDirection(direction, from_artifacts, event.type())) {
      followed.push_back(&event);
    }
  }
  const auto target = [from_artifacts](const Event& event) {
    return from_artifacts ? event.execution_id() : event.artifact_id();
  };
  absl::flat_hash_set<int64_t> unvisited;
  for (const Event* event : followed) {
    if (!visited_targets.contains(target(*event))) {
      unvisited.insert(target(*event));
    }
  }
  const bool directed = direction == LineageSubgraphQueryOptions::UPSTREAM ||
                        direction == LineageSubgraphQueryOptions::DOWNSTREAM;
  for (const Event* event : followed) {
    // A new target's event is emitted; one to an already visited target
    // only in a directed walk (spec/lineage.md §2.4).
    if (!visited_targets.contains(target(*event)) || directed) {
      emitted.push_back(*event);
    }
  }
  reached.assign(unvisited.begin(), unvisited.end());
  visited_targets.insert(reached.begin(), reached.end());
  return reached;
}

// All types of one kind with their properties (MLMD's FindTypes): the
// types, then one properties query when there are any.
template <typename TypeMessage>
absl::Status FindAllTypes(
    Connection& connection, int kind,
    google::protobuf::RepeatedPtrField<TypeMessage>& out) {
  RecordSet type_rows;
  MLMDX_RETURN_IF_ERROR(connection.Execute(
      absl::StrCat(" SELECT `id`, `name`, `version`, `description`, "
                   " `input_type`, `output_type` FROM `Type` "
                   " WHERE type_kind = ",
                   kind, "; "),
      &type_rows));
  if (type_rows.records.empty()) return absl::OkStatus();
  std::vector<int64_t> type_ids;
  absl::flat_hash_map<int64_t, int> position_of_type;
  for (const std::vector<std::string>& row : type_rows.records) {
    TypeMessage& type = *out.Add();
    type.set_id(ToInt(row[0]));
    type.set_name(row[1]);
    if (!IsNull(row[2])) type.set_version(row[2]);
    if (!IsNull(row[3])) type.set_description(row[3]);
    if constexpr (std::is_same_v<TypeMessage, ExecutionType>) {
      if (!IsNull(row[4]) && !row[4].empty()) {
        (void)google::protobuf::util::JsonStringToMessage(
            row[4], type.mutable_input_type());
      }
      if (!IsNull(row[5]) && !row[5].empty()) {
        (void)google::protobuf::util::JsonStringToMessage(
            row[5], type.mutable_output_type());
      }
    }
    position_of_type[type.id()] = out.size() - 1;
    type_ids.push_back(type.id());
  }
  RecordSet property_rows;
  MLMDX_RETURN_IF_ERROR(
      connection.Execute(PropertiesOfTypesQuery(type_ids), &property_rows));
  for (const std::vector<std::string>& row : property_rows.records) {
    const auto it = position_of_type.find(ToInt(row[0]));
    if (it == position_of_type.end()) continue;
    (*out.Mutable(it->second)->mutable_properties())[row[1]] =
        static_cast<ml_metadata::PropertyType>(ToInt(row[2]));
  }
  return absl::OkStatus();
}

absl::Status QueryLineageSubgraph(Connection& connection,
                                  const LineageSubgraphQueryOptions& options,
                                  const absl::flat_hash_set<std::string>& mask,
                                  LineageGraph& graph) {
  // Validation, in MLMD's order (spec/lineage.md §2.1).
  std::string filter;
  bool from_artifacts = true;
  if (options.has_starting_artifacts()) {
    filter = options.starting_artifacts().filter_query();
  } else if (options.has_starting_executions()) {
    filter = options.starting_executions().filter_query();
    from_artifacts = false;
  } else {
    return absl::InvalidArgumentError(
        "Missing arguments for listing starting nodes.");
  }
  if (filter.empty()) {
    return absl::InvalidArgumentError(
        "Cannot list starting nodes if `filter_query` is unspecified.");
  }
  int64_t max_num_hops = kMaxNumHops;
  if (options.has_max_num_hops()) {
    if (options.max_num_hops() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("max_num_hops cannot be negative: max_num_hops = ",
                       options.max_num_hops()));
    }
    max_num_hops = std::min(options.max_num_hops(), kMaxNumHops);
  }
  if (options.ending_artifacts().has_filter_query() ||
      options.ending_executions().has_filter_query()) {
    return absl::UnimplementedError(
        "ending nodes are not reproduced by the MLMD-shaped server");
  }
  absl::StatusOr<int64_t> filter_id = ParseIdEqualsFilter(filter);
  if (!filter_id.ok()) return filter_id.status();

  // The starting nodes: MLMD's id-only listing for the filter, default
  // order (id ascending) and the 101-row cap.
  RecordSet start_rows;
  MLMDX_RETURN_IF_ERROR(connection.Execute(
      absl::StrCat("SELECT distinct table_0.`id` FROM `",
                   from_artifacts ? "Artifact" : "Execution",
                   "` AS table_0 WHERE (table_0.id) = ", *filter_id,
                   " AND table_0.`id` > 0 ORDER BY table_0.`id` ASC "
                   " LIMIT ",
                   kStartingNodesLimit, " "),
      &start_rows));
  if (start_rows.records.empty()) {
    return absl::NotFoundError(
        "Cannot find qualified nodes to start the traversal.");
  }

  std::vector<int64_t> artifact_frontier, execution_frontier;
  absl::flat_hash_set<int64_t> visited_artifacts, visited_executions;
  std::vector<Event> emitted;
  std::vector<int64_t>& start_frontier =
      from_artifacts ? artifact_frontier : execution_frontier;
  for (const std::vector<std::string>& row : start_rows.records) {
    start_frontier.push_back(ToInt(row[0]));
  }
  (from_artifacts ? visited_artifacts : visited_executions)
      .insert(start_frontier.begin(), start_frontier.end());

  const LineageSubgraphQueryOptions::Direction direction = options.direction();
  for (int64_t hop = 0; hop < max_num_hops; ++hop) {
    const bool hop_from_artifacts = from_artifacts == (hop % 2 == 0);
    absl::StatusOr<std::vector<int64_t>> reached =
        hop_from_artifacts
            ? ExpandOneHop(connection, true, direction, artifact_frontier,
                           visited_executions, emitted)
            : ExpandOneHop(connection, false, direction, execution_frontier,
                           visited_artifacts, emitted);
    if (!reached.ok()) return reached.status();
    if (reached->empty()) break;
    (hop_from_artifacts ? execution_frontier : artifact_frontier) =
        *std::move(reached);
  }

  // The response per read mask (spec/lineage.md §2.5), in MLMD's order.
  const std::vector<int64_t> artifact_ids(visited_artifacts.begin(),
                                          visited_artifacts.end());
  const std::vector<int64_t> execution_ids(visited_executions.begin(),
                                           visited_executions.end());
  const auto attributions_query = [&artifact_ids] {
    return absl::StrCat(
        " SELECT `id`, `context_id`, `artifact_id` "
        " FROM `Attribution` WHERE `artifact_id` IN (",
        absl::StrJoin(artifact_ids, ", "), "); ");
  };
  const auto associations_query = [&execution_ids] {
    return absl::StrCat(
        " SELECT `id`, `context_id`, `execution_id` "
        " FROM `Association` WHERE `execution_id` IN (",
        absl::StrJoin(execution_ids, ", "), "); ");
  };
  if (mask.contains("artifacts")) {
    for (int64_t id : artifact_ids) graph.add_artifacts()->set_id(id);
  }
  if (mask.contains("executions")) {
    for (int64_t id : execution_ids) graph.add_executions()->set_id(id);
  }
  if (mask.contains("contexts")) {
    absl::flat_hash_set<int64_t> context_ids;
    if (!artifact_ids.empty()) {
      RecordSet rows;
      MLMDX_RETURN_IF_ERROR(connection.Execute(attributions_query(), &rows));
      for (const auto& row : rows.records) context_ids.insert(ToInt(row[1]));
    }
    if (!execution_ids.empty()) {
      RecordSet rows;
      MLMDX_RETURN_IF_ERROR(connection.Execute(associations_query(), &rows));
      for (const auto& row : rows.records) context_ids.insert(ToInt(row[1]));
    }
    for (int64_t id : context_ids) graph.add_contexts()->set_id(id);
  }
  if (mask.contains("events")) {
    for (Event& event : emitted) *graph.add_events() = std::move(event);
  }
  if (mask.contains("attributions") && !artifact_ids.empty()) {
    RecordSet rows;
    MLMDX_RETURN_IF_ERROR(connection.Execute(attributions_query(), &rows));
    for (const auto& row : rows.records) {
      Attribution& attribution = *graph.add_attributions();
      attribution.set_context_id(ToInt(row[1]));
      attribution.set_artifact_id(ToInt(row[2]));
    }
  }
  if (mask.contains("associations") && !execution_ids.empty()) {
    RecordSet rows;
    MLMDX_RETURN_IF_ERROR(connection.Execute(associations_query(), &rows));
    for (const auto& row : rows.records) {
      Association& association = *graph.add_associations();
      association.set_context_id(ToInt(row[1]));
      association.set_execution_id(ToInt(row[2]));
    }
  }
  if (mask.contains("artifact_types")) {
    MLMDX_RETURN_IF_ERROR(FindAllTypes(connection, kArtifactKind,
                                       *graph.mutable_artifact_types()));
  }
  if (mask.contains("execution_types")) {
    MLMDX_RETURN_IF_ERROR(FindAllTypes(connection, kExecutionKind,
                                       *graph.mutable_execution_types()));
  }
  if (mask.contains("context_types")) {
    MLMDX_RETURN_IF_ERROR(
        FindAllTypes(connection, kContextKind, *graph.mutable_context_types()));
  }
  return absl::OkStatus();
}

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace

class MlmdShapedServer::Service
    : public ml_metadata::MetadataStoreService::Service {
 public:
  explicit Service(std::string db_path) : db_path_(std::move(db_path)) {}

  grpc::Status GetLineageSubgraph(
      grpc::ServerContext* /*context*/,
      const ml_metadata::GetLineageSubgraphRequest* request,
      ml_metadata::GetLineageSubgraphResponse* response) override {
    MlmdStatementCounts counts;
    const absl::Status status = Serve(*request, *response, counts);
    {
      absl::MutexLock lock(&mutex_);
      last_counts_ = counts;
    }
    if (!status.ok()) response->Clear();
    return ToGrpc(status);
  }

  MlmdStatementCounts LastRequestStatements() const {
    absl::MutexLock lock(&mutex_);
    return last_counts_;
  }

 private:
  absl::Status Serve(const ml_metadata::GetLineageSubgraphRequest& request,
                     ml_metadata::GetLineageSubgraphResponse& response,
                     MlmdStatementCounts& counts) {
    absl::StatusOr<std::unique_ptr<Connection>> connection =
        Connection::Open(db_path_, &counts);
    if (!connection.ok()) return connection.status();
    Connection& db = **connection;
    MLMDX_RETURN_IF_ERROR(db.InTransaction(&counts.schema_check,
                                           [&db] { return CheckSchema(db); }));
    MLMDX_RETURN_IF_ERROR(db.InTransaction(
        &counts.simple_types, [&db] { return CheckSimpleTypes(db); }));
    // An empty read mask means every field of LineageGraph.
    absl::flat_hash_set<std::string> mask(request.read_mask().paths().begin(),
                                          request.read_mask().paths().end());
    if (mask.empty()) {
      const auto* descriptor = LineageGraph::descriptor();
      for (int i = 0; i < descriptor->field_count(); ++i) {
        mask.insert(descriptor->field(i)->name());
      }
    }
    return db.InTransaction(&counts.body, [&] {
      response.Clear();
      return QueryLineageSubgraph(db, request.lineage_subgraph_query_options(),
                                  mask, *response.mutable_lineage_subgraph());
    });
  }

  const std::string db_path_;
  mutable absl::Mutex mutex_;
  MlmdStatementCounts last_counts_;
};

absl::StatusOr<std::unique_ptr<MlmdShapedServer>> MlmdShapedServer::Start(
    const std::string& db_path) {
  std::unique_ptr<MlmdShapedServer> server(new MlmdShapedServer());
  server->service_ = std::make_unique<Service>(db_path);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError("cannot start the MLMD-shaped server");
  }
  return server;
}

MlmdShapedServer::~MlmdShapedServer() {
  if (server_ != nullptr) server_->Shutdown();
}

std::unique_ptr<ml_metadata::MetadataStoreService::Stub>
MlmdShapedServer::NewStub() const {
  return ml_metadata::MetadataStoreService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials()));
}

MlmdStatementCounts MlmdShapedServer::LastRequestStatements() const {
  return service_->LastRequestStatements();
}

}  // namespace mlmdx::bench
