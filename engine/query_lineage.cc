// File: engine/query_lineage.cc
// -----------------------------------------------------------------------------
//
// LineageEngine::QueryLineage (mlmdx.LineageService): request checks and
// conversions; the walk itself is lineage::QueryLineage.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/lineage_engine.h"
#include "lineage/lineage_query.h"
#include "util/status_macros.h"

namespace mlmdx::engine {
namespace {

// MLMD's limits for GetLineageSubgraph, and our own for the answer size.
constexpr int64_t kMaxHops = 100;
constexpr int kMaxStartingNodes = 101;
constexpr int64_t kMaxNodes = 10000;

using Request = ::mlmdx::QueryLineageRequest;

store::MetadataStore::NodeKind StoreKind(lineage::NodeKind kind) {
  return kind == lineage::NodeKind::kArtifact
             ? store::MetadataStore::NodeKind::kArtifact
             : store::MetadataStore::NodeKind::kExecution;
}

// Prefixes the store's message with the request field the filter came from.
absl::Status Blame(const std::string& field, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(field, ": ", status.message()));
}

lineage::Direction DirectionOf(Request::Direction d) {
  switch (d) {
    case Request::UPSTREAM:
      return lineage::Direction::kUpstream;
    case Request::DOWNSTREAM:
      return lineage::Direction::kDownstream;
    default:
      return lineage::Direction::kBidirectional;
  }
}

lineage::LineageQuery::Output OutputOf(Request::Output o) {
  switch (o) {
    case Request::PATHS:
      return lineage::LineageQuery::Output::kPaths;
    case Request::ENDPOINTS:
      return lineage::LineageQuery::Output::kEndpoints;
    default:
      return lineage::LineageQuery::Output::kSubgraph;
  }
}

// A filter per node kind, evaluated by the store, as an EndingFilter.
lineage::EndingFilter StoreFilter(store::MetadataStore* store,
                                  const std::string (&filters)[2],
                                  const std::string (&fields)[2]) {
  return [store, &filters, &fields](lineage::NodeKind kind,
                                    absl::Span<const int64_t> candidates)
             -> absl::StatusOr<std::vector<int64_t>> {
    const int k = static_cast<int>(kind);
    absl::StatusOr<std::vector<int64_t>> ids = store->FilterNodeIds(
        StoreKind(kind), filters[k],
        std::vector<int64_t>(candidates.begin(), candidates.end()));
    if (!ids.ok()) return Blame(fields[k], ids.status());
    return ids;
  };
}

}  // namespace

absl::Status LineageEngine::QueryLineage(
    const ::mlmdx::QueryLineageRequest& request,
    ::mlmdx::QueryLineageResponse* response) {
  response->Clear();
  lineage::LineageQuery query;
  std::string start_filter, start_field;
  switch (request.start_case()) {
    case Request::kStartArtifactsFilter:
      query.start_kind = lineage::NodeKind::kArtifact;
      start_filter = request.start_artifacts_filter();
      start_field = "start_artifacts_filter";
      break;
    case Request::kStartExecutionsFilter:
      query.start_kind = lineage::NodeKind::kExecution;
      start_filter = request.start_executions_filter();
      start_field = "start_executions_filter";
      break;
    default:
      return absl::InvalidArgumentError(
          "start: set start_artifacts_filter or start_executions_filter");
  }
  if (start_filter.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        start_field, " is empty (use e.g. 'id > 0' for every node)"));
  }
  if (request.max_hops() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_hops cannot be negative: got ", request.max_hops()));
  }
  query.max_hops = std::min<int64_t>(request.max_hops(), kMaxHops);
  if (request.max_nodes() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_nodes must be positive: got ", request.max_nodes()));
  }
  query.max_nodes = std::min<int64_t>(request.max_nodes(), kMaxNodes);
  query.direction = DirectionOf(request.direction());
  query.output = OutputOf(request.output());

  const std::optional<lineage::Visibility> visibility = CurrentVisibility();
  query.visibility = visibility.has_value() ? &*visibility : nullptr;

  if (query.output == lineage::LineageQuery::Output::kPaths) {
    std::string field;
    switch (request.target_case()) {
      case Request::kTargetArtifactId:
        query.target_kind = lineage::NodeKind::kArtifact;
        query.target_id = request.target_artifact_id();
        field = "target_artifact_id";
        break;
      case Request::kTargetExecutionId:
        query.target_kind = lineage::NodeKind::kExecution;
        query.target_id = request.target_execution_id();
        field = "target_execution_id";
        break;
      default:
        return absl::InvalidArgumentError(
            "target: output PATHS needs target_artifact_id or "
            "target_execution_id");
    }
    MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> found,
                           store_->FilterNodeIds(StoreKind(query.target_kind),
                                                 "", {query.target_id}));
    // A target the caller may not see does not exist for it.
    MLMDX_ASSIGN_OR_RETURN(
        found,
        VisibleNodes(query.target_kind, std::move(found), query.visibility));
    if (found.empty()) {
      return absl::NotFoundError(
          absl::StrCat(field, ": no node with id ", query.target_id));
    }
  }
  const bool endpoints =
      query.output == lineage::LineageQuery::Output::kEndpoints;
  if (endpoints && !request.has_endpoint_artifacts_filter() &&
      !request.has_endpoint_executions_filter()) {
    return absl::InvalidArgumentError(
        "output ENDPOINTS needs endpoint_artifacts_filter or "
        "endpoint_executions_filter");
  }

  const std::string predicates[2] = {request.artifact_predicate(),
                                     request.execution_predicate()};
  const std::string predicate_fields[2] = {"artifact_predicate",
                                           "execution_predicate"};
  query.predicate_set[0] = !predicates[0].empty();
  query.predicate_set[1] = !predicates[1].empty();
  query.predicate = StoreFilter(store_, predicates, predicate_fields);
  const std::string endpoint_filters[2] = {
      request.endpoint_artifacts_filter(),
      request.endpoint_executions_filter()};
  const std::string endpoint_fields[2] = {"endpoint_artifacts_filter",
                                          "endpoint_executions_filter"};
  query.endpoint_set[0] = endpoints && request.has_endpoint_artifacts_filter();
  query.endpoint_set[1] = endpoints && request.has_endpoint_executions_filter();
  query.endpoint_filter =
      StoreFilter(store_, endpoint_filters, endpoint_fields);

  // Check every filter now, not only when the walk first reaches its kind:
  // id 0 never exists, so this parses and plans the filter and matches
  // nothing.
  for (int k = 0; k < 2; ++k) {
    const auto kind = static_cast<lineage::NodeKind>(k);
    if (query.predicate_set[k]) {
      MLMDX_RETURN_IF_ERROR(query.predicate(kind, {0}).status());
    }
    if (query.endpoint_set[k] && !endpoint_filters[k].empty()) {
      MLMDX_RETURN_IF_ERROR(query.endpoint_filter(kind, {0}).status());
    }
  }

  absl::StatusOr<std::vector<int64_t>> start =
      FindStartingNodes(query.start_kind, start_filter, kMaxStartingNodes);
  if (!start.ok()) return Blame(start_field, start.status());
  MLMDX_ASSIGN_OR_RETURN(
      query.start_ids,
      VisibleNodes(query.start_kind, *std::move(start), query.visibility));
  if (query.start_ids.empty()) {
    return absl::NotFoundError(
        absl::StrCat(start_field, ": no node matches '", start_filter, "'"));
  }

  MLMDX_ASSIGN_OR_RETURN(lineage::LineageQueryResult result,
                         lineage::QueryLineage(index_, query));

  ml_metadata::LineageGraph* graph = response->mutable_subgraph();
  for (int64_t id : result.artifact_ids) graph->add_artifacts()->set_id(id);
  for (int64_t id : result.execution_ids) graph->add_executions()->set_id(id);
  if (!result.events.empty()) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<ml_metadata::Event> events,
                           HydrateEvents(result.events));
    for (auto& event : events) *graph->add_events() = std::move(event);
  }
  for (int64_t id : result.endpoint_artifact_ids) {
    response->add_endpoint_artifact_ids(id);
  }
  for (int64_t id : result.endpoint_execution_ids) {
    response->add_endpoint_execution_ids(id);
  }
  response->set_truncated(result.truncated);
  response->set_hops_walked(result.hops_walked);
  return absl::OkStatus();
}

}  // namespace mlmdx::engine
