// File: store/internal/record_access.h
// -----------------------------------------------------------------------------
//
// Typed reads and writes of MLMD's tables inside one open transaction: types
// with their properties and base types, nodes with their properties, events
// with their paths, and the context links. No business rules live here
// (upsert semantics, validation, update masks are in store/internal/*_ops.cc);
// this layer only knows how rows map to protos.
//
// Thread-safety: like the Connection it wraps, used by one thread at a time.

#ifndef MLMDX_STORE_INTERNAL_RECORD_ACCESS_H_
#define MLMDX_STORE_INTERNAL_RECORD_ACCESS_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "query/filter.h"
#include "store/connection.h"
#include "store/internal/node_traits.h"
#include "store/lineage_changes.h"
#include "store/visible_namespaces.h"

namespace mlmdx::store::internal {

// A row of Type with its TypeProperty rows and ParentType link, independent
// of the kind. Converted to ArtifactType / ExecutionType / ContextType by the
// callers, which decide which fields each RPC returns.
struct TypeRecord {
  int64_t id = 0;
  TypeKind kind = TypeKind::kArtifact;
  std::string name;
  std::optional<std::string> version;
  std::optional<std::string> description;
  std::optional<std::string> external_id;
  // ExecutionType input/output signatures as stored (proto3 JSON).
  std::optional<std::string> input_type;
  std::optional<std::string> output_type;
  // Property name -> ml_metadata::PropertyType number.
  std::map<std::string, int> properties;
  // Name of the simple type this type links to (e.g. "mlmd.Model").
  std::optional<std::string> base_type_name;
};

// One row of a *Property table.
struct PropertyRow {
  std::string name;
  bool is_custom = false;
  ml_metadata::Value value;
};

class RecordAccess {
 public:
  // `changes`, when given, collects every event and link this transaction
  // inserts (links that already existed are not reported). `visible`, when
  // given, is what the transaction's caller may see (it must outlive this):
  // node reads leave out the others (see GetNodes).
  explicit RecordAccess(Connection& conn, LineageChanges* changes = nullptr,
                        const VisibleNamespaces* visible = nullptr)
      : conn_(conn), changes_(changes), visible_(visible) {}
  RecordAccess(const RecordAccess&) = delete;
  RecordAccess& operator=(const RecordAccess&) = delete;

  Connection& connection() { return conn_; }
  // Where this transaction's lineage changes are collected, or null.
  LineageChanges* changes() { return changes_; }
  // What the caller may see; null: everything.
  const VisibleNamespaces* visible() const { return visible_; }

  // Runs `sql_prefix` + "(?, ?, ...)" + `sql_suffix` once per chunk of `ids`
  // and concatenates the rows; `suffix_params` are bound after each chunk's
  // ids. Chunks are padded to a few fixed sizes (by repeating the last id)
  // so the statement cache stays small.
  absl::StatusOr<RecordSet> QueryInChunks(
      absl::string_view sql_prefix, absl::string_view sql_suffix,
      absl::Span<const SqlValue> ids,
      absl::Span<const SqlValue> suffix_params = {});

  // ---- Types ---------------------------------------------------------------

  // The id of the type of `kind` named `name` with `version` (nullopt or ""
  // meaning the version-less type), if any.
  absl::StatusOr<std::optional<int64_t>> FindTypeId(
      TypeKind kind, const std::string& name,
      const std::optional<std::string>& version);
  // Types of `kind` with the given ids, in ascending id order, each once.
  absl::StatusOr<std::vector<TypeRecord>> GetTypesById(
      TypeKind kind, absl::Span<const int64_t> ids);
  // Types of any kind with the given ids.
  absl::StatusOr<std::vector<TypeRecord>> GetTypesByIdAnyKind(
      absl::Span<const int64_t> ids);
  // Every type of `kind`, ascending id.
  absl::StatusOr<std::vector<TypeRecord>> GetTypesOfKind(TypeKind kind);
  // Types of `kind` whose external_id is one of `external_ids`, ordered by
  // external_id.
  absl::StatusOr<std::vector<TypeRecord>> GetTypesByExternalIds(
      TypeKind kind, absl::Span<const std::string> external_ids);
  // Whether any type (of any kind) has this external id.
  absl::StatusOr<std::optional<TypeRecord>> GetTypeByExternalIdAnyKind(
      const std::string& external_id);

  // Inserts the Type row and its properties; returns the new id.
  absl::StatusOr<int64_t> InsertType(const TypeRecord& type);
  absl::Status InsertTypeProperty(int64_t type_id, const std::string& name,
                                  int data_type);
  absl::Status UpdateTypeExternalId(int64_t type_id,
                                    const std::string& external_id);
  absl::Status InsertParentType(int64_t type_id, int64_t parent_type_id);

  // ---- Nodes ---------------------------------------------------------------

  // Full nodes (with `type` name and all properties) for the ids that exist,
  // ascending id, each once. Under visible(), only the nodes it makes
  // visible: to every caller of the store (reads and updates alike) an
  // invisible node is as an unknown id.
  template <typename Node>
  absl::StatusOr<std::vector<Node>> GetNodes(absl::Span<const int64_t> ids);
  // The ids among `ids` of nodes that exist and are visible (all that
  // exist when visible() is null), ascending, each once.
  template <typename Node>
  absl::StatusOr<std::vector<int64_t>> VisibleNodeIds(
      absl::Span<const int64_t> ids);

  // Ids of the nodes whose `column` equals `value`, ascending.
  // REQUIRES: `column` is a column name chosen by the caller, never input.
  template <typename Node>
  absl::StatusOr<std::vector<int64_t>> FindNodeIds(absl::string_view column,
                                                   const SqlValue& value);
  // Ids of the nodes of type `type_id` named `name`.
  template <typename Node>
  absl::StatusOr<std::optional<int64_t>> FindNodeIdByTypeAndName(
      int64_t type_id, const std::string& name);
  // Ids of nodes whose external_id is one of `external_ids`, ascending.
  template <typename Node>
  absl::StatusOr<std::vector<int64_t>> FindNodeIdsByExternalIds(
      absl::Span<const std::string> external_ids);

  // Inserts the node row with both timestamps set to `now_ms`, and its
  // `properties` (in the same statement on PostgreSQL); returns the new id.
  // ALREADY_EXISTS on a uniqueness clash.
  template <typename Node>
  absl::StatusOr<int64_t> InsertNode(
      const Node& node, int64_t now_ms,
      absl::Span<const PropertyRow> properties = {});
  // Rewrites name, external_id, the kind's columns and the update time of
  // node `node.id()`. ALREADY_EXISTS on a uniqueness clash, passed through
  // `map_error` (the statement is deferred: see Connection::ExecuteDeferred).
  template <typename Node>
  absl::Status UpdateNode(const Node& node, int64_t now_ms,
                          Connection::ErrorMapper map_error = nullptr);

  // The property writes below are deferred (Connection::ExecuteDeferred):
  // their errors may come back from a later call of the transaction.

  // Inserts the rows in the order given, in one statement on PostgreSQL.
  template <typename Node>
  absl::Status InsertProperties(int64_t node_id,
                                absl::Span<const PropertyRow> rows);
  template <typename Node>
  absl::Status UpdateProperty(int64_t node_id, const PropertyRow& row);
  template <typename Node>
  absl::Status DeleteProperty(int64_t node_id, const std::string& name,
                              bool is_custom);

  // ---- Events --------------------------------------------------------------

  // Inserts the event and its path; ALREADY_EXISTS, passed through
  // `map_error`, when (artifact, execution, type) already has an event.
  // Deferred on PostgreSQL (Connection::ExecuteDeferred): the new id reaches
  // the reported changes once the statement's answer is read.
  absl::Status InsertEvent(const ml_metadata::Event& event, int64_t now_ms,
                           Connection::ErrorMapper map_error = nullptr);
  // InsertEvent for each of `events`, in order; on PostgreSQL in one
  // (deferred) statement, whose ALREADY_EXISTS names no event by itself:
  // the server's message has the clashing values.
  absl::Status InsertEvents(absl::Span<const ml_metadata::Event> events,
                            int64_t now_ms,
                            Connection::ErrorMapper map_error = nullptr);
  // (event id, event) for the given event ids that exist, in no order.
  absl::StatusOr<std::vector<std::pair<int64_t, ml_metadata::Event>>>
  GetEventsWithIds(absl::Span<const int64_t> event_ids);
  // Events of the executions, by (execution_id, insertion order).
  absl::StatusOr<std::vector<ml_metadata::Event>> GetEventsByExecutionIds(
      absl::Span<const int64_t> execution_ids);
  // Events of the artifacts, by (artifact_id, execution_id, type).
  absl::StatusOr<std::vector<ml_metadata::Event>> GetEventsByArtifactIds(
      absl::Span<const int64_t> artifact_ids);
  // Under visible(), removes the events whose artifact or execution the
  // caller cannot see, keeping the order of the rest; `event_of` gives the
  // Event of an element. Without visible(), runs no SQL.
  template <typename Element, typename EventOf>
  absl::Status KeepVisibleEvents(std::vector<Element>& events,
                                 EventOf event_of);

  // ---- Context links -------------------------------------------------------

  // Insert the link unless it exists.
  absl::Status InsertAttributionIfMissing(int64_t context_id,
                                          int64_t artifact_id);
  absl::Status InsertAssociationIfMissing(int64_t context_id,
                                          int64_t execution_id);
  // Insert each (context_id, artifact_id) or (context_id, execution_id) link
  // that does not exist yet, in the order given, in a few statements; a
  // link given twice is inserted once.
  absl::Status InsertAttributionsIfMissing(
      absl::Span<const std::pair<int64_t, int64_t>> links);
  absl::Status InsertAssociationsIfMissing(
      absl::Span<const std::pair<int64_t, int64_t>> links);
  // ALREADY_EXISTS when the link exists.
  absl::Status InsertParentContext(int64_t child_id, int64_t parent_id);

  // Ids of contexts linked to the node, ascending.
  absl::StatusOr<std::vector<int64_t>> GetContextIdsByArtifact(
      int64_t artifact_id);
  absl::StatusOr<std::vector<int64_t>> GetContextIdsByExecution(
      int64_t execution_id);
  // Ids of the parents (or children) of a context, ascending.
  absl::StatusOr<std::vector<int64_t>> GetParentContextIds(int64_t context_id);
  absl::StatusOr<std::vector<int64_t>> GetChildContextIds(int64_t context_id);

 private:
  // QueryInChunks as deferred statements (Connection::ExecuteDeferred):
  // the rows land in `*into` once the next awaited statement is answered.
  absl::Status DeferInChunks(absl::string_view sql_prefix,
                             absl::string_view sql_suffix,
                             absl::Span<const SqlValue> ids,
                             std::shared_ptr<RecordSet> into,
                             absl::Span<const SqlValue> suffix_params = {});
  absl::StatusOr<std::vector<TypeRecord>> ReadTypes(RecordSet rows);
  // Adds `event`, written with `time`, to the reported changes (which must
  // be collected); returns its slot there (its id is set later).
  size_t RecordEventChange(const ml_metadata::Event& event, int64_t time);
  // Event rows whose `key_column` is one of `ids`, in no particular order.
  // REQUIRES: `key_column` is a column name chosen by the caller.
  absl::StatusOr<RecordSet> QueryEvents(absl::string_view key_column,
                                        absl::Span<const int64_t> ids);
  // The events of `rows` (as QueryEvents returns them), in that order, with
  // their paths.
  absl::StatusOr<std::vector<ml_metadata::Event>> WithPaths(
      const RecordSet& rows);
  template <typename Node>
  absl::Status AttachProperties(std::vector<Node>& nodes);
  // Adds property rows (as AttachProperties reads them) to `nodes`.
  template <typename Node>
  absl::Status AttachPropertyRows(std::vector<Node>& nodes,
                                  const RecordSet& rows);
  // The links of `table` (Attribution or Association, whose node id column
  // is `node_column`); the links inserted are appended to `inserted` once
  // the (deferred) statements' answers are read.
  absl::Status InsertLinksIfMissing(
      absl::string_view table, absl::string_view node_column,
      absl::Span<const std::pair<int64_t, int64_t>> links,
      std::vector<std::pair<int64_t, int64_t>>* inserted);

  Connection& conn_;
  LineageChanges* const changes_;
  const VisibleNamespaces* const visible_;
};

template <typename Element, typename EventOf>
absl::Status RecordAccess::KeepVisibleEvents(std::vector<Element>& events,
                                             EventOf event_of) {
  if (visible_ == nullptr || events.empty()) return absl::OkStatus();
  std::vector<int64_t> artifact_ids, execution_ids;
  for (const Element& element : events) {
    artifact_ids.push_back(event_of(element).artifact_id());
    execution_ids.push_back(event_of(element).execution_id());
  }
  absl::StatusOr<std::vector<int64_t>> artifacts =
      VisibleNodeIds<ml_metadata::Artifact>(artifact_ids);
  if (!artifacts.ok()) return artifacts.status();
  absl::StatusOr<std::vector<int64_t>> executions =
      VisibleNodeIds<ml_metadata::Execution>(execution_ids);
  if (!executions.ok()) return executions.status();
  auto invisible = [&](const Element& element) {
    const ml_metadata::Event& event = event_of(element);
    return !std::binary_search(artifacts->begin(), artifacts->end(),
                               event.artifact_id()) ||
           !std::binary_search(executions->begin(), executions->end(),
                               event.execution_id());
  };
  events.erase(std::remove_if(events.begin(), events.end(), invisible),
               events.end());
  return absl::OkStatus();
}

// The pseudo-column that orders a keyless table's rows (EventPath's steps)
// in insertion order: rowid on SQLite, ctid on PostgreSQL.
absl::string_view InsertionOrder(Dialect dialect);

// The filter compiler's name for `dialect`.
query::Dialect QueryDialect(Dialect dialect);

// Converts ids to SQL parameters.
std::vector<SqlValue> IdParams(absl::Span<const int64_t> ids);

// Appends the step of one EventPath row to `path`, the one way every read
// of an event builds its path.
void AppendPathStep(const SqlValue& is_index_step, const SqlValue& step_index,
                    const SqlValue& step_key, ml_metadata::Event::Path* path);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_RECORD_ACCESS_H_
