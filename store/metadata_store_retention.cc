// MetadataStore::DeleteContexts: deleting runs and what only they hold
// (proto/mlmdx/retention_service.proto), in one transaction, reported to
// the lineage index and the change log like any other write.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "store/internal/record_access.h"
#include "store/metadata_store.h"
#include "util/status_macros.h"

namespace mlmdx::store {

using internal::IdParams;
using internal::RecordAccess;

namespace {

std::vector<int64_t> SortedUnique(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// The ids among `candidates` (ascending) that are not in `kept`.
std::vector<int64_t> Without(const std::vector<int64_t>& candidates,
                             const absl::flat_hash_set<int64_t>& kept) {
  std::vector<int64_t> out;
  for (int64_t id : candidates) {
    if (!kept.contains(id)) out.push_back(id);
  }
  return out;
}

// Column `column` of every row of `rows`, as ids.
std::vector<int64_t> IdColumn(const RecordSet& rows, size_t column = 0) {
  std::vector<int64_t> ids;
  ids.reserve(rows.rows.size());
  for (const auto& row : rows.rows) ids.push_back(row[column].AsInt());
  return ids;
}

// What deleting a set of contexts takes with it, each list ascending.
struct DoomedNodes {
  std::vector<int64_t> contexts;
  std::vector<int64_t> executions;
  std::vector<int64_t> artifacts;
};

// The contexts among `candidates` that keep no node alive: those of a type
// named in `weak_types` that the caller can see. Rows of `links` are
// (node id, context id, context type id).
absl::StatusOr<absl::flat_hash_set<int64_t>> WeakContexts(
    RecordAccess& access, const absl::flat_hash_set<int64_t>& weak_types,
    const RecordSet& links) {
  absl::flat_hash_set<int64_t> weak;
  if (weak_types.empty()) return weak;
  std::vector<int64_t> candidates;
  for (const auto& row : links.rows) {
    if (weak_types.contains(row[2].AsInt())) {
      candidates.push_back(row[1].AsInt());
    }
  }
  // A context the caller cannot see is not the caller's to discount.
  MLMDX_ASSIGN_OR_RETURN(
      const std::vector<int64_t> visible,
      access.VisibleNodeIds<ml_metadata::Context>(SortedUnique(candidates)));
  weak.insert(visible.begin(), visible.end());
  return weak;
}

// The ids of the context types named `names`.
absl::StatusOr<absl::flat_hash_set<int64_t>> ContextTypeIds(
    RecordAccess& access, const std::vector<std::string>& names) {
  absl::flat_hash_set<int64_t> ids;
  if (names.empty()) return ids;
  std::vector<SqlValue> params;
  params.reserve(names.size());
  for (const std::string& name : names) params.push_back(SqlValue::Text(name));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet rows,
      access.QueryInChunks(
          "SELECT id FROM Type WHERE name IN ", " AND type_kind = ?", params,
          {SqlValue::Int(static_cast<int64_t>(internal::TypeKind::kContext))}));
  for (int64_t id : IdColumn(rows)) ids.insert(id);
  return ids;
}

// Decides what goes, reading only. NOT_FOUND when a context does not exist.
absl::StatusOr<DoomedNodes> FindDoomedNodes(
    RecordAccess& access, const std::vector<int64_t>& context_ids,
    const std::vector<std::string>& weak_type_names) {
  DoomedNodes doomed;
  doomed.contexts = SortedUnique(context_ids);
  const std::vector<SqlValue> context_params = IdParams(doomed.contexts);
  // A context the caller cannot see does not exist for it.
  MLMDX_ASSIGN_OR_RETURN(
      const std::vector<int64_t> found_ids,
      access.VisibleNodeIds<ml_metadata::Context>(doomed.contexts));
  const absl::flat_hash_set<int64_t> existing(found_ids.begin(),
                                              found_ids.end());
  for (int64_t id : doomed.contexts) {
    if (!existing.contains(id)) {
      return absl::NotFoundError(absl::StrCat(
          "context_ids: no context with id ", id, "; nothing was deleted"));
    }
  }
  const absl::flat_hash_set<int64_t> deleted_contexts(doomed.contexts.begin(),
                                                      doomed.contexts.end());

  MLMDX_ASSIGN_OR_RETURN(const absl::flat_hash_set<int64_t> weak_types,
                         ContextTypeIds(access, weak_type_names));

  // An execution goes when every context it is associated with goes or is
  // weak. One in no context at all is never a candidate.
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet associated,
      access.QueryInChunks(
          "SELECT execution_id FROM Association WHERE context_id IN ", "",
          context_params));
  const std::vector<int64_t> execution_candidates =
      SortedUnique(IdColumn(associated));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet execution_links,
      access.QueryInChunks(
          "SELECT a.execution_id, a.context_id, c.type_id FROM Association a "
          "JOIN Context c ON c.id = a.context_id WHERE a.execution_id IN ",
          "", IdParams(execution_candidates)));
  MLMDX_ASSIGN_OR_RETURN(
      const absl::flat_hash_set<int64_t> weak_execution_contexts,
      WeakContexts(access, weak_types, execution_links));
  absl::flat_hash_set<int64_t> kept_executions;
  for (const auto& row : execution_links.rows) {
    const int64_t context = row[1].AsInt();
    if (!deleted_contexts.contains(context) &&
        !weak_execution_contexts.contains(context)) {
      kept_executions.insert(row[0].AsInt());
    }
  }
  doomed.executions = Without(execution_candidates, kept_executions);
  const absl::flat_hash_set<int64_t> deleted_executions(
      doomed.executions.begin(), doomed.executions.end());

  // An artifact is a candidate when a deleted context held it or a deleted
  // execution touched it, and goes when nothing that remains does.
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet attributed,
      access.QueryInChunks(
          "SELECT artifact_id FROM Attribution WHERE context_id IN ", "",
          context_params));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet touched,
      access.QueryInChunks("SELECT artifact_id FROM Event WHERE execution_id "
                           "IN ",
                           "", IdParams(doomed.executions)));
  std::vector<int64_t> artifact_candidates = IdColumn(attributed);
  const std::vector<int64_t> touched_ids = IdColumn(touched);
  artifact_candidates.insert(artifact_candidates.end(), touched_ids.begin(),
                             touched_ids.end());
  artifact_candidates = SortedUnique(std::move(artifact_candidates));
  const std::vector<SqlValue> artifact_params = IdParams(artifact_candidates);
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet artifact_links,
      access.QueryInChunks(
          "SELECT a.artifact_id, a.context_id, c.type_id FROM Attribution a "
          "JOIN Context c ON c.id = a.context_id WHERE a.artifact_id IN ",
          "", artifact_params));
  MLMDX_ASSIGN_OR_RETURN(
      const absl::flat_hash_set<int64_t> weak_artifact_contexts,
      WeakContexts(access, weak_types, artifact_links));
  MLMDX_ASSIGN_OR_RETURN(
      RecordSet artifact_events,
      access.QueryInChunks(
          "SELECT artifact_id, execution_id FROM Event WHERE artifact_id IN ",
          "", artifact_params));
  absl::flat_hash_set<int64_t> kept_artifacts;
  for (const auto& row : artifact_links.rows) {
    const int64_t context = row[1].AsInt();
    if (!deleted_contexts.contains(context) &&
        !weak_artifact_contexts.contains(context)) {
      kept_artifacts.insert(row[0].AsInt());
    }
  }
  for (const auto& row : artifact_events.rows) {
    if (!deleted_executions.contains(row[1].AsInt())) {
      kept_artifacts.insert(row[0].AsInt());
    }
  }
  doomed.artifacts = Without(artifact_candidates, kept_artifacts);
  return doomed;
}

// Deletes the rows of `table` whose `column` is one of `ids`.
// REQUIRES: `table` and `column` are names chosen by the caller.
absl::Status DeleteRows(RecordAccess& access, absl::string_view table,
                        absl::string_view column,
                        const std::vector<int64_t>& ids) {
  return access
      .QueryInChunks(
          absl::StrCat("DELETE FROM ", table, " WHERE ", column, " IN "), "",
          IdParams(ids))
      .status();
}

// Deletes the nodes and every row that names them. Every event of a doomed
// artifact belongs to a doomed execution (that is what doomed means), so
// the events of the executions are all there is; a doomed node's links go
// to doomed contexts and, when weak context types were named, to weak ones
// that stay.
absl::Status DeleteDoomedNodes(RecordAccess& access,
                               const DoomedNodes& doomed) {
  // By execution rather than by event ids read before: each statement sees
  // every event committed until it runs.
  MLMDX_RETURN_IF_ERROR(
      access
          .QueryInChunks("DELETE FROM EventPath WHERE event_id IN (SELECT id "
                         "FROM Event WHERE execution_id IN ",
                         ")", IdParams(doomed.executions))
          .status());
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Event", "execution_id", doomed.executions));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Association", "context_id", doomed.contexts));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Association", "execution_id", doomed.executions));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Attribution", "context_id", doomed.contexts));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Attribution", "artifact_id", doomed.artifacts));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "ParentContext", "context_id", doomed.contexts));
  MLMDX_RETURN_IF_ERROR(DeleteRows(access, "ParentContext", "parent_context_id",
                                   doomed.contexts));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "ContextProperty", "context_id", doomed.contexts));
  MLMDX_RETURN_IF_ERROR(DeleteRows(access, "Context", "id", doomed.contexts));
  MLMDX_RETURN_IF_ERROR(DeleteRows(access, "ExecutionProperty", "execution_id",
                                   doomed.executions));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "Execution", "id", doomed.executions));
  MLMDX_RETURN_IF_ERROR(
      DeleteRows(access, "ArtifactProperty", "artifact_id", doomed.artifacts));
  MLMDX_RETURN_IF_ERROR(DeleteRows(access, "Artifact", "id", doomed.artifacts));
  if (LineageChanges* changes = access.changes(); changes != nullptr) {
    changes->removed_contexts = doomed.contexts;
    changes->removed_executions = doomed.executions;
    changes->removed_artifacts = doomed.artifacts;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MetadataStore::DeleteContexts(
    const ::mlmdx::DeleteContextsRequest& request,
    ::mlmdx::DeleteContextsResponse* response) {
  response->Clear();
  if (request.context_ids().empty()) {
    return absl::InvalidArgumentError(
        "context_ids is empty: name at least one context to delete");
  }
  const std::vector<int64_t> context_ids(request.context_ids().begin(),
                                         request.context_ids().end());
  const std::vector<std::string> weak_type_names(
      request.weak_context_types().begin(), request.weak_context_types().end());
  DoomedNodes doomed;
  // A dry run only reads, so it never waits for (or joins) a write.
  MLMDX_RETURN_IF_ERROR(Transact(
      request.dry_run() ? TransactionMode::kReadOnly
                        : TransactionMode::kReadWrite,
      [&](RecordAccess& access) -> absl::Status {
        // Before anything is read: every write in flight (on any server
        // over the same PostgreSQL database) has then committed, and none
        // starts until this one ends (kDeletionLockName).
        if (!request.dry_run()) {
          MLMDX_RETURN_IF_ERROR(
              LockUntilTransactionEnds(access.connection(), kDeletionLockName));
        }
        MLMDX_ASSIGN_OR_RETURN(
            doomed, FindDoomedNodes(access, context_ids, weak_type_names));
        if (request.dry_run()) return absl::OkStatus();
        return DeleteDoomedNodes(access, doomed);
      }));
  response->mutable_context_ids()->Add(doomed.contexts.begin(),
                                       doomed.contexts.end());
  response->mutable_execution_ids()->Add(doomed.executions.begin(),
                                         doomed.executions.end());
  response->mutable_artifact_ids()->Add(doomed.artifacts.begin(),
                                        doomed.artifacts.end());
  return absl::OkStatus();
}

}  // namespace mlmdx::store
