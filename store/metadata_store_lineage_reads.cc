// MetadataStore: the reads the lineage engine needs (the graph's rows at
// start-up, filter evaluation for starting and ending nodes, events and
// types of an answer) and the commit listener that keeps it in step.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/filter.h"
#include "store/change_log.h"
#include "store/internal/record_access.h"
#include "store/internal/type_ops.h"
#include "store/internal/visibility.h"
#include "store/metadata_store.h"
#include "store/visible_namespaces.h"
#include "util/status_macros.h"

namespace mlmdx::store {

using internal::RecordAccess;

void MetadataStore::SetCommitListener(CommitListener listener) {
  absl::MutexLock lock(&write_mutex_);
  commit_listener_ = std::move(listener);
}

namespace {

// Fills the paths of `batch`'s events (ascending ids) with one range scan of
// EventPath's event_id index; steps come in insertion order, as every read
// of an event returns them.
absl::Status AddEventPaths(Connection& conn, LineageChanges* batch) {
  if (batch->events.empty()) return absl::OkStatus();
  size_t next = 0;
  int64_t current = -1;
  ml_metadata::Event::Path path;
  // Serializes the steps gathered for `current` into its event.
  auto flush = [&] {
    while (next < batch->events.size() && batch->events[next].id < current) {
      ++next;
    }
    if (next < batch->events.size() && batch->events[next].id == current) {
      path.SerializeToString(&batch->events[next].path);
    }
    path.Clear();
  };
  MLMDX_RETURN_IF_ERROR(conn.QueryEach(
      absl::StrCat("SELECT event_id, is_index_step, step_index, step_key "
                   "FROM EventPath WHERE event_id >= ? AND event_id <= ? "
                   "ORDER BY event_id, ",
                   internal::InsertionOrder(conn.dialect())),
      {SqlValue::Int(batch->events.front().id),
       SqlValue::Int(batch->events.back().id)},
      [&](absl::Span<const SqlValue> step) {
        const int64_t event_id = step[0].AsInt();
        if (event_id != current) {
          if (current >= 0) flush();
          current = event_id;
        }
        internal::AppendPathStep(step[1], step[2], step[3], &path);
        return absl::OkStatus();
      }));
  if (current >= 0) flush();
  return absl::OkStatus();
}

}  // namespace

absl::Status MetadataStore::ScanLineage(
    const std::function<absl::Status(const LineageChanges&)>& sink,
    int batch_size, bool event_details, int64_t* position) {
  return Transact(TransactionMode::kReadOnly, [&](RecordAccess& access) {
    Connection& conn = access.connection();
    // The read transaction's one snapshot holds exactly the change-log
    // rows at or below this position (seq order is commit order).
    if (position != nullptr) {
      *position = 0;
      if (has_change_log()) {
        MLMDX_ASSIGN_OR_RETURN(*position,
                               internal::LatestChangeLogPosition(conn));
      }
    }
    // One pass per table, keyed by id (by its primary key for
    // ParentContext, which has no id column), so a batch is one indexed
    // range scan.
    struct Table {
      const char* sql;
      int kind;
    };
    const Table tables[] = {
        {"SELECT id, artifact_id, execution_id, type, "
         "milliseconds_since_epoch FROM Event "
         "WHERE id > ? ORDER BY id LIMIT ?",
         0},
        {"SELECT id, context_id, artifact_id FROM Attribution "
         "WHERE id > ? ORDER BY id LIMIT ?",
         1},
        {"SELECT id, context_id, execution_id FROM Association "
         "WHERE id > ? ORDER BY id LIMIT ?",
         2},
        {"SELECT context_id, context_id, parent_context_id "
         "FROM ParentContext WHERE (context_id, parent_context_id) > (?, ?) "
         "ORDER BY context_id, parent_context_id LIMIT ?",
         3},
        // Contexts' namespaces (store/visible_namespaces.h): a non-empty
        // string. A struct value is stored as a string with a prefix that
        // no string value may have.
        {"SELECT context_id, string_value FROM ContextProperty "
         "WHERE context_id > ? AND name = ? AND is_custom_property = ? "
         "AND string_value <> '' AND string_value NOT LIKE 'mlmd-struct::%' "
         "ORDER BY context_id LIMIT ?",
         4},
    };
    for (const Table& table : tables) {
      int64_t after = -1;
      int64_t after_parent = -1;  // ParentContext's second key column.
      while (true) {
        LineageChanges batch;
        int rows = 0;
        // Rows are streamed into the batch, not held as a RecordSet: a
        // scan reads every event, attribution and association.
        std::vector<SqlValue> params = {SqlValue::Int(after)};
        if (table.kind == 3) params.push_back(SqlValue::Int(after_parent));
        if (table.kind == 4) {
          params.push_back(SqlValue::Text(std::string(kNamespaceProperty)));
          params.push_back(SqlValue::Bool(true));
        }
        params.push_back(SqlValue::Int(batch_size));
        MLMDX_RETURN_IF_ERROR(conn.QueryEach(
            table.sql, params, [&](absl::Span<const SqlValue> row) {
              ++rows;
              after = row[0].AsInt();
              if (table.kind == 4) {
                batch.context_namespaces.emplace_back(after, row[1].AsString());
                return absl::OkStatus();
              }
              const int64_t a = row[1].AsInt();
              const int64_t b = row[2].AsInt();
              switch (table.kind) {
                case 0: {
                  LineageChanges::Event& event = batch.events.emplace_back();
                  event.id = after;
                  event.artifact_id = a;
                  event.execution_id = b;
                  event.type = static_cast<int>(row[3].AsInt());
                  event.has_milliseconds_since_epoch = !row[4].is_null();
                  if (event.has_milliseconds_since_epoch) {
                    event.milliseconds_since_epoch = row[4].AsInt();
                  }
                  break;
                }
                case 1:
                  batch.attributions.emplace_back(a, b);
                  break;
                case 2:
                  batch.associations.emplace_back(a, b);
                  break;
                default:
                  after_parent = b;
                  batch.parent_contexts.emplace_back(a, b);
              }
              return absl::OkStatus();
            }));
        if (rows == 0) break;
        if (table.kind == 0 && event_details) {
          MLMDX_RETURN_IF_ERROR(AddEventPaths(conn, &batch));
        }
        MLMDX_RETURN_IF_ERROR(sink(batch));
        if (rows < batch_size) break;
      }
    }
    return absl::OkStatus();
  });
}

namespace {

absl::string_view TableOf(MetadataStore::NodeKind kind) {
  switch (kind) {
    case MetadataStore::NodeKind::kArtifact:
      return "Artifact";
    case MetadataStore::NodeKind::kExecution:
      return "Execution";
    case MetadataStore::NodeKind::kContext:
      break;
  }
  return "Context";
}

query::NodeKind QueryKindOf(MetadataStore::NodeKind kind) {
  switch (kind) {
    case MetadataStore::NodeKind::kArtifact:
      return query::NodeKind::kArtifact;
    case MetadataStore::NodeKind::kExecution:
      return query::NodeKind::kExecution;
    case MetadataStore::NodeKind::kContext:
      break;
  }
  return query::NodeKind::kContext;
}

// "id IN (<compiled filter>)" and its parameters appended to `params`.
// Under `visible`, the filter's joins reach only visible nodes.
absl::StatusOr<std::string> FilterCondition(Dialect dialect,
                                            MetadataStore::NodeKind kind,
                                            const std::string& filter_query,
                                            const VisibleNamespaces* visible,
                                            std::vector<SqlValue>& params) {
  std::optional<query::NeighbourCondition> neighbours;
  if (visible != nullptr) {
    neighbours = internal::NeighbourVisibility(dialect, *visible);
  }
  MLMDX_ASSIGN_OR_RETURN(
      query::CompiledFilter filter,
      query::CompileFilter(filter_query, QueryKindOf(kind),
                           internal::QueryDialect(dialect), {},
                           neighbours.has_value() ? &*neighbours : nullptr));
  for (const query::SqlParam& param : filter.params) {
    if (const auto* i = std::get_if<int64_t>(&param)) {
      params.push_back(SqlValue::Int(*i));
    } else if (const auto* d = std::get_if<double>(&param)) {
      params.push_back(SqlValue::Double(*d));
    } else {
      params.push_back(SqlValue::Text(std::get<std::string>(param)));
    }
  }
  return absl::StrCat("id IN (", filter.sql, ")");
}

// " AND <the node is visible>" for `access`'s caller, parameters appended
// to `params`; "" when everything is visible.
std::string AndVisible(RecordAccess& access, MetadataStore::NodeKind kind,
                       std::vector<SqlValue>& params) {
  const VisibleNamespaces* visible = access.visible();
  if (visible == nullptr) return "";
  const Dialect dialect = access.connection().dialect();
  const std::string id = absl::StrCat(TableOf(kind), ".id");
  switch (kind) {
    case MetadataStore::NodeKind::kArtifact:
      return absl::StrCat(" AND ",
                          internal::VisibilityCondition<ml_metadata::Artifact>(
                              dialect, id, *visible, params));
    case MetadataStore::NodeKind::kExecution:
      return absl::StrCat(" AND ",
                          internal::VisibilityCondition<ml_metadata::Execution>(
                              dialect, id, *visible, params));
    case MetadataStore::NodeKind::kContext:
      break;
  }
  return absl::StrCat(" AND ",
                      internal::VisibilityCondition<ml_metadata::Context>(
                          dialect, id, *visible, params));
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> MetadataStore::FindNodeIdsByFilter(
    NodeKind kind, const std::string& filter_query, int limit) {
  std::vector<int64_t> ids;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadOnly, [&](RecordAccess& access) {
        std::vector<SqlValue> params;
        MLMDX_ASSIGN_OR_RETURN(std::string condition,
                               FilterCondition(dialect(), kind, filter_query,
                                               access.visible(), params));
        const std::string visible = AndVisible(access, kind, params);
        params.push_back(SqlValue::Int(limit));
        MLMDX_ASSIGN_OR_RETURN(
            RecordSet rows,
            access.connection().Query(
                absl::StrCat("SELECT id FROM ", TableOf(kind), " WHERE ",
                             condition, visible, " ORDER BY id LIMIT ?"),
                params));
        for (const auto& row : rows.rows) ids.push_back(row[0].AsInt());
        return absl::OkStatus();
      }));
  return ids;
}

absl::StatusOr<std::vector<int64_t>> MetadataStore::FilterNodeIds(
    NodeKind kind, const std::string& filter_query,
    const std::vector<int64_t>& candidates) {
  std::vector<int64_t> matched;
  if (candidates.empty()) return matched;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadOnly, [&](RecordAccess& access) {
        // The candidate set can be large, and one statement keeps the
        // filter's join plan. SQLite takes it through a temporary table;
        // PostgreSQL, which creates no table in a read-only transaction,
        // as one array parameter.
        Connection& conn = access.connection();
        const bool postgres = conn.dialect() == Dialect::kPostgres;
        std::vector<SqlValue> params;
        std::string sql;
        if (postgres) {
          params.push_back(SqlValue::Text(
              absl::StrCat("{", absl::StrJoin(candidates, ","), "}")));
          sql = absl::StrCat("SELECT id FROM ", TableOf(kind),
                             " WHERE id = ANY(CAST(? AS BIGINT[]))");
        } else {
          MLMDX_RETURN_IF_ERROR(conn.ExecuteScript(
              "CREATE TEMP TABLE IF NOT EXISTS mlmdx_candidates"
              "(id INTEGER PRIMARY KEY); DELETE FROM temp.mlmdx_candidates;"));
          for (int64_t id : candidates) {
            MLMDX_RETURN_IF_ERROR(
                conn.Execute("INSERT OR IGNORE INTO temp.mlmdx_candidates(id) "
                             "VALUES (?)",
                             {SqlValue::Int(id)})
                    .status());
          }
          sql = absl::StrCat(
              "SELECT id FROM ", TableOf(kind),
              " WHERE id IN (SELECT id FROM temp.mlmdx_candidates)");
        }
        if (!filter_query.empty()) {
          MLMDX_ASSIGN_OR_RETURN(std::string condition,
                                 FilterCondition(dialect(), kind, filter_query,
                                                 access.visible(), params));
          absl::StrAppend(&sql, " AND ", condition);
        }
        absl::StrAppend(&sql, AndVisible(access, kind, params), " ORDER BY id");
        MLMDX_ASSIGN_OR_RETURN(RecordSet rows, conn.Query(sql, params));
        for (const auto& row : rows.rows) matched.push_back(row[0].AsInt());
        if (postgres) return absl::OkStatus();
        return conn.ExecuteScript("DELETE FROM temp.mlmdx_candidates;");
      }));
  return matched;
}

absl::StatusOr<std::vector<ml_metadata::Event>> MetadataStore::GetEventsById(
    const std::vector<int64_t>& event_ids) {
  std::vector<ml_metadata::Event> ordered;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadOnly, [&](RecordAccess& access) {
        using IdAndEvent = std::pair<int64_t, ml_metadata::Event>;
        MLMDX_ASSIGN_OR_RETURN(std::vector<IdAndEvent> events,
                               access.GetEventsWithIds(event_ids));
        MLMDX_RETURN_IF_ERROR(access.KeepVisibleEvents(
            events,
            [](const IdAndEvent& e) -> const auto& { return e.second; }));
        absl::flat_hash_map<int64_t, ml_metadata::Event*> by_id;
        for (auto& [id, event] : events) by_id[id] = &event;
        for (int64_t id : event_ids) {
          auto it = by_id.find(id);
          if (it != by_id.end()) ordered.push_back(*it->second);
        }
        return absl::OkStatus();
      }));
  return ordered;
}

absl::Status MetadataStore::GetLineageTypes(ml_metadata::LineageGraph* graph) {
  ml_metadata::LineageGraph types;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadOnly, [&](RecordAccess& access) {
        using internal::ToTypeProto;
        using internal::TypeKind;
        using internal::TypeRecord;
        using internal::TypeView;
        MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> artifact_types,
                               access.GetTypesOfKind(TypeKind::kArtifact));
        for (const TypeRecord& type : artifact_types) {
          *types.add_artifact_types() =
              ToTypeProto<ml_metadata::ArtifactType>(type, TypeView::kLineage);
        }
        MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> execution_types,
                               access.GetTypesOfKind(TypeKind::kExecution));
        for (const TypeRecord& type : execution_types) {
          *types.add_execution_types() =
              ToTypeProto<ml_metadata::ExecutionType>(type, TypeView::kLineage);
        }
        MLMDX_ASSIGN_OR_RETURN(std::vector<TypeRecord> context_types,
                               access.GetTypesOfKind(TypeKind::kContext));
        for (const TypeRecord& type : context_types) {
          *types.add_context_types() =
              ToTypeProto<ml_metadata::ContextType>(type, TypeView::kLineage);
        }
        return absl::OkStatus();
      }));
  graph->MergeFrom(types);
  return absl::OkStatus();
}

}  // namespace mlmdx::store
