#include "engine/lineage_engine.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "query/filter.h"
#include "store/visible_namespaces.h"
#include "util/log.h"
#include "util/status_macros.h"

namespace mlmdx::engine {
namespace {

using ml_metadata::LineageSubgraphQueryOptions;

// MLMD's limits: at most this many hops, and this many starting nodes.
constexpr int64_t kMaxHops = 100;
constexpr int kMaxStartingNodes = 101;

// RESOURCE_EXHAUSTED when an answer of `nodes` nodes is over `limit` (0: no
// limit): checked on the ids the index found, before the nodes are read.
absl::Status CheckAnswerNodes(absl::string_view method, size_t nodes,
                              int64_t limit) {
  if (limit <= 0 || nodes <= static_cast<size_t>(limit)) {
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError(absl::StrCat(
      "the answer to ", method, " would hold ", nodes, " nodes; the limit is ",
      limit,
      " (--max_lineage_nodes); ask for fewer hops, one direction or ending "
      "nodes"));
}

// The index's form of `changes`; without `details`, events are applied
// without their time and path.
lineage::ChangeSet ToChangeSet(const store::LineageChanges& changes,
                               bool details = true) {
  lineage::ChangeSet set;
  set.events.reserve(changes.events.size());
  if (details) set.event_details.reserve(changes.events.size());
  for (const auto& e : changes.events) {
    set.events.push_back({e.id, e.artifact_id, e.execution_id, e.type});
    if (!details) continue;
    lineage::EventDetails& details = set.event_details.emplace_back();
    details.has_milliseconds_since_epoch = e.has_milliseconds_since_epoch;
    details.milliseconds_since_epoch = e.milliseconds_since_epoch;
    details.path = e.path;
  }
  set.attributions = changes.attributions;
  set.associations = changes.associations;
  set.parent_contexts = changes.parent_contexts;
  set.removed_artifacts = changes.removed_artifacts;
  set.removed_executions = changes.removed_executions;
  set.removed_contexts = changes.removed_contexts;
  set.context_namespaces = changes.context_namespaces;
  set.position = changes.log_position;
  return set;
}

}  // namespace

std::optional<lineage::Visibility> CurrentVisibility() {
  const store::VisibleNamespaces* visible =
      store::VisibleNamespacesScope::Current();
  if (visible == nullptr) return std::nullopt;
  return lineage::Visibility{visible->names()};
}

namespace {

store::MetadataStore::NodeKind StoreKind(lineage::NodeKind kind) {
  return kind == lineage::NodeKind::kArtifact
             ? store::MetadataStore::NodeKind::kArtifact
             : store::MetadataStore::NodeKind::kExecution;
}

lineage::Direction DirectionOf(LineageSubgraphQueryOptions::Direction d) {
  switch (d) {
    case LineageSubgraphQueryOptions::UPSTREAM:
      return lineage::Direction::kUpstream;
    case LineageSubgraphQueryOptions::DOWNSTREAM:
      return lineage::Direction::kDownstream;
    default:
      return lineage::Direction::kBidirectional;
  }
}

// Top-level LineageGraph fields the read mask asks for; an empty mask asks
// for all of them. Other paths are ignored, as MLMD ignores them.
std::set<std::string> MaskedFields(const google::protobuf::FieldMask& mask) {
  static const std::set<std::string> kAll = {
      "artifacts",      "executions",      "contexts",
      "events",         "attributions",    "associations",
      "artifact_types", "execution_types", "context_types"};
  if (mask.paths().empty()) return kAll;
  std::set<std::string> fields;
  for (const std::string& path : mask.paths()) {
    if (kAll.count(path) > 0) fields.insert(path);
  }
  return fields;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LineageEngine>> LineageEngine::Start(
    store::MetadataStore* store, const LineageEngineOptions& options) {
  std::unique_ptr<LineageEngine> engine(new LineageEngine(store, options));
  // Subscribe before scanning: a write that commits in between is then both
  // scanned and reported, and applying it twice is harmless.
  LineageEngine* raw = engine.get();
  store->SetCommitListener(
      [raw](const store::LineageChanges& changes) { raw->OnCommit(changes); });
  MLMDX_RETURN_IF_ERROR(engine->Rebuild());
  if (options.follow_change_log && store->has_change_log()) {
    engine->follower_ = std::thread([raw] { raw->FollowChangeLog(); });
  }
  return engine;
}

LineageEngine::~LineageEngine() {
  {
    absl::MutexLock lock(&position_mutex_);
    stopping_ = true;
    if (reader_ != nullptr) reader_->Interrupt();
  }
  if (follower_.joinable()) follower_.join();
}

int64_t LineageEngine::applied_position() const {
  absl::MutexLock lock(&position_mutex_);
  return applied_position_;
}

void LineageEngine::SetAppliedPosition(int64_t position) {
  absl::MutexLock lock(&position_mutex_);
  applied_position_ = std::max(applied_position_, position);
}

absl::Status LineageEngine::AwaitPosition(int64_t position,
                                          absl::Time deadline) {
  // Without a follower this server's own writes are the only ones, and
  // each is in the index before it is acknowledged.
  if (!follower_.joinable()) return absl::OkStatus();
  absl::MutexLock lock(&position_mutex_);
  const auto reached = [this, position]()
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(position_mutex_) {
                             return applied_position_ >= position;
                           };
  if (position_mutex_.AwaitWithDeadline(absl::Condition(&reached), deadline)) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(
      absl::StrCat("this server's lineage index holds the writes up to commit ",
                   applied_position_, ", not yet commit ", position,
                   " (mlmdx-read-after); retry, or ask another server"));
}

bool LineageEngine::SleepUnlessStopping(absl::Duration duration) {
  absl::MutexLock lock(&position_mutex_);
  position_mutex_.AwaitWithTimeout(absl::Condition(&stopping_), duration);
  return stopping_;
}

void LineageEngine::FollowChangeLog() {
  std::unique_ptr<store::ChangeLogReader> reader;
  absl::Time next_prune = absl::Now();
  bool lost = false;  // Reported once per outage.
  while (true) {
    if (reader == nullptr) {
      absl::StatusOr<std::unique_ptr<store::ChangeLogReader>> opened =
          store_->OpenChangeLogReader();
      if (!opened.ok()) {
        if (!lost) {
          LogWarning(absl::StrCat(
              "lineage index: cannot follow the change log (",
              opened.status().ToString(), "); retrying every ",
              absl::FormatDuration(options_.change_log_poll_interval)));
          lost = true;
        }
        if (SleepUnlessStopping(options_.change_log_poll_interval)) break;
        continue;
      }
      reader = *std::move(opened);
      {
        absl::MutexLock lock(&position_mutex_);
        if (stopping_) break;
        reader_ = reader.get();
      }
      if (lost) LogInfo("lineage index: following the change log again");
      lost = false;
      // A log that ends before this index does lost commits this server
      // saw (a database restored from a backup, or a crash of one that
      // acknowledges commits before they are durable): new writes would
      // reuse positions the index counts as held.
      absl::StatusOr<int64_t> latest = reader->LatestPosition();
      if (latest.ok() && *latest < applied_position()) {
        LogWarning(absl::StrCat("lineage index: the change log ends at commit ",
                                *latest, ", before this index (",
                                applied_position(),
                                "); reloading the index from the database"));
        absl::Status rebuilt = Rebuild();
        if (!rebuilt.ok()) LogError(rebuilt.ToString());
      }
    }
    absl::Status status = CatchUp(*reader);
    if (status.ok() && options_.change_log_retention > absl::ZeroDuration() &&
        absl::Now() >= next_prune) {
      // Every server prunes; the statement is idempotent and cheap.
      status = reader->Prune(options_.change_log_retention).status();
      next_prune = absl::Now() + absl::Minutes(1);
    }
    if (status.ok()) {
      status = reader->WaitForChanges(options_.change_log_poll_interval);
    }
    if (!status.ok()) {
      if (!lost) {
        LogWarning(absl::StrCat("lineage index: following the change log: ",
                                status.ToString(), "; reconnecting"));
        lost = true;
      }
      {
        absl::MutexLock lock(&position_mutex_);
        reader_ = nullptr;
      }
      reader.reset();
      if (SleepUnlessStopping(options_.change_log_poll_interval)) break;
    }
    absl::MutexLock lock(&position_mutex_);
    if (stopping_) break;
  }
  absl::MutexLock lock(&position_mutex_);
  reader_ = nullptr;
}

absl::Status LineageEngine::CatchUp(store::ChangeLogReader& reader) {
  constexpr int kBatchRows = 1000;
  while (true) {
    const int64_t from = applied_position();
    MLMDX_ASSIGN_OR_RETURN(store::ChangeLogBatch batch,
                           reader.ReadAfter(from, kBatchRows));
    // The read runs unlocked, so that a reload after a failed apply never
    // waits on the network; a reload that moved the position meanwhile
    // makes the batch stale.
    absl::MutexLock lock(&follow_mutex_);
    if (applied_position() != from) continue;
    if (batch.pruned_past) {
      LogWarning(
          absl::StrCat("lineage index: the change log was pruned past commit ",
                       from, "; reloading the index from the database"));
      MLMDX_RETURN_IF_ERROR(RebuildLocked());
      continue;
    }
    if (batch.entries.empty()) return absl::OkStatus();
    for (const store::ChangeLogEntry& entry : batch.entries) {
      // This server's own rows too: it applies each write as it commits,
      // but may read the row first, and must not count it as held before.
      // Links are sets, so applying them twice is harmless; a context's
      // namespace is a value, which the index takes only from a position
      // later than the one that last set it (ChangeSet::position).
      lineage::ChangeSet changes =
          ToChangeSet(entry.changes, options_.hold_event_details);
      if (index_.Apply(changes) && !needs_rebuild_.load()) {
        continue;
      }
      needs_rebuild_.store(true);
      LogError(
          "lineage index: a write from the change log could not be "
          "applied; reloading the index from the database");
      return RebuildLocked();
    }
    SetAppliedPosition(batch.entries.back().position);
    if (static_cast<int>(batch.entries.size()) < kBatchRows) {
      return absl::OkStatus();
    }
  }
}

void LineageEngine::OnCommit(const store::LineageChanges& changes) {
  // Commits are reported one at a time, in commit order, before the
  // write's reply: a rebuild here is done before the next write commits
  // and before this write is acknowledged.
  if (index_.Apply(ToChangeSet(changes)) && !needs_rebuild_.load()) return;
  needs_rebuild_.store(true);
  LogError(
      "lineage index: a committed write could not be applied; rebuilding "
      "it from the database (lineage queries answer UNAVAILABLE until "
      "then)");
  if (absl::Status rebuilt = Rebuild(); !rebuilt.ok()) {
    LogError(absl::StrCat(
        "lineage index: rebuild failed (", rebuilt.ToString(),
        "); lineage queries answer UNAVAILABLE until a later write rebuilds "
        "it"));
    return;
  }
  LogInfo(absl::StrCat("lineage index: rebuilt, ", index_.event_count(),
                       " events"));
}

absl::Status LineageEngine::Rebuild() {
  absl::MutexLock lock(&follow_mutex_);
  return RebuildLocked();
}

absl::Status LineageEngine::RebuildLocked() {
  index_.BeginRebuild();
  const bool details = options_.hold_event_details;
  int64_t position = 0;
  absl::Status status = store_->ScanLineage(
      [this, details](const store::LineageChanges& batch) {
        if (!index_.Apply(ToChangeSet(batch, details))) {
          return absl::ResourceExhaustedError(
              "lineage index: out of memory while loading the graph");
        }
        return absl::OkStatus();
      },
      /*batch_size=*/65536, details, &position);
  if (status.ok() && !index_.EndRebuild()) {
    status = absl::ResourceExhaustedError(
        "lineage index: a write could not be applied during the reload");
  }
  // Exactly the snapshot's position: normally later than the one it
  // replaces, earlier only when the log itself went back.
  if (status.ok()) {
    absl::MutexLock lock(&position_mutex_);
    applied_position_ = position;
  }
  // Until a reload succeeds, every commit retries it.
  needs_rebuild_.store(!status.ok());
  return status;
}

void LineageEngine::FailNextIndexApplyForTesting() {
  index_.FailNextApplyForTesting();
}

absl::StatusOr<std::vector<int64_t>> LineageEngine::FindStartingNodes(
    lineage::NodeKind kind, const std::string& filter, int limit) {
  std::optional<std::vector<int64_t>> ids = query::LiteralIdSet(filter);
  // Only ids above 0 can match (listings start after id 0), and only nodes
  // the index knows are known to exist.
  if (ids.has_value() && !ids->empty() && ids->front() > 0 &&
      std::all_of(ids->begin(), ids->end(),
                  [&](int64_t id) { return index_.HasLinkedNode(kind, id); })) {
    if (static_cast<int>(ids->size()) > limit) ids->resize(limit);
    return *std::move(ids);
  }
  return store_->FindNodeIdsByFilter(StoreKind(kind), filter, limit);
}

absl::StatusOr<std::vector<int64_t>> LineageEngine::VisibleNodes(
    lineage::NodeKind kind, std::vector<int64_t> ids,
    const lineage::Visibility* visibility) const {
  if (visibility == nullptr) return ids;
  const lineage::GraphIndex::Snapshot snapshot =
      index_.TakeSnapshot(visibility);
  if (!snapshot.restricted) return ids;
  return index_.VisibleNodes(snapshot, kind, ids);
}

absl::StatusOr<std::vector<ml_metadata::Event>> LineageEngine::HydrateEvents(
    absl::Span<const lineage::EventRef> events) {
  std::vector<int64_t> event_ids;
  event_ids.reserve(events.size());
  for (const auto& e : events) event_ids.push_back(e.event_id);
  std::vector<std::optional<lineage::EventDetails>> details =
      index_.EventDetailsOf(event_ids);
  std::vector<int64_t> missing;
  for (size_t i = 0; i < events.size(); ++i) {
    if (!details[i].has_value()) missing.push_back(event_ids[i]);
  }
  std::vector<ml_metadata::Event> from_store;
  if (!missing.empty()) {
    MLMDX_ASSIGN_OR_RETURN(from_store, store_->GetEventsById(missing));
    if (from_store.size() != missing.size()) {
      return absl::InternalError(
          absl::StrCat("lineage index: ", missing.size() - from_store.size(),
                       " of its events are not in the database"));
    }
  }
  std::vector<ml_metadata::Event> out(events.size());
  size_t next_from_store = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    ml_metadata::Event& event = out[i];
    if (!details[i].has_value()) {
      event = std::move(from_store[next_from_store++]);
      continue;
    }
    event.set_artifact_id(events[i].artifact_id);
    event.set_execution_id(events[i].execution_id);
    event.set_type(static_cast<ml_metadata::Event::Type>(events[i].type));
    if (!details[i]->path.empty() &&
        !event.mutable_path()->ParseFromString(details[i]->path)) {
      return absl::InternalError(absl::StrCat(
          "lineage index: unreadable path of event ", events[i].event_id));
    }
    if (details[i]->has_milliseconds_since_epoch) {
      event.set_milliseconds_since_epoch(details[i]->milliseconds_since_epoch);
    }
  }
  return out;
}

absl::Status LineageEngine::GetLineageSubgraph(
    const ml_metadata::GetLineageSubgraphRequest& request,
    ml_metadata::GetLineageSubgraphResponse* response) {
  response->Clear();
  const LineageSubgraphQueryOptions& options =
      request.lineage_subgraph_query_options();
  lineage::SubgraphQuery query;
  std::string start_filter;
  switch (options.starting_nodes_case()) {
    case LineageSubgraphQueryOptions::kStartingArtifacts:
      query.start_kind = lineage::NodeKind::kArtifact;
      start_filter = options.starting_artifacts().filter_query();
      break;
    case LineageSubgraphQueryOptions::kStartingExecutions:
      query.start_kind = lineage::NodeKind::kExecution;
      start_filter = options.starting_executions().filter_query();
      break;
    default:
      return absl::InvalidArgumentError(
          "Missing arguments for listing starting nodes: set "
          "lineage_subgraph_query_options.starting_artifacts or "
          "starting_executions");
  }
  if (start_filter.empty()) {
    return absl::InvalidArgumentError(
        "Cannot list starting nodes if `filter_query` is unspecified (use "
        "e.g. 'id > 0' for every node)");
  }
  query.max_num_hops =
      options.has_max_num_hops() ? options.max_num_hops() : kMaxHops;
  if (query.max_num_hops < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_num_hops cannot be negative: got ", query.max_num_hops));
  }
  query.max_num_hops = std::min(query.max_num_hops, kMaxHops);
  query.direction = DirectionOf(options.direction());

  const std::optional<lineage::Visibility> visibility = CurrentVisibility();
  query.visibility = visibility.has_value() ? &*visibility : nullptr;
  MLMDX_ASSIGN_OR_RETURN(
      query.start_ids,
      FindStartingNodes(query.start_kind, start_filter, kMaxStartingNodes));
  // Nodes the caller may not see match nothing.
  MLMDX_ASSIGN_OR_RETURN(
      query.start_ids,
      VisibleNodes(query.start_kind, std::move(query.start_ids),
                   query.visibility));
  if (query.start_ids.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "Cannot find qualified nodes to start the traversal: no node "
        "matches '",
        start_filter, "'"));
  }

  // Ending filters: a present filter_query, even "", activates them.
  std::string ending_filter[2];
  const auto set_ending = [&](lineage::NodeKind kind, bool has, const auto& e) {
    const int k = static_cast<int>(kind);
    query.ending_set[k] = has && e.has_filter_query();
    query.include_ending[k] = e.include_ending_nodes();
    ending_filter[k] = e.filter_query();
  };
  set_ending(lineage::NodeKind::kArtifact, options.has_ending_artifacts(),
             options.ending_artifacts());
  set_ending(lineage::NodeKind::kExecution, options.has_ending_executions(),
             options.ending_executions());
  query.ending_filter = [this, &ending_filter](
                            lineage::NodeKind kind,
                            absl::Span<const int64_t> candidates)
      -> absl::StatusOr<std::vector<int64_t>> {
    return store_->FilterNodeIds(
        StoreKind(kind), ending_filter[static_cast<int>(kind)],
        std::vector<int64_t>(candidates.begin(), candidates.end()));
  };

  MLMDX_ASSIGN_OR_RETURN(lineage::Subgraph subgraph,
                         index_.GetLineageSubgraph(query));
  MLMDX_RETURN_IF_ERROR(CheckAnswerNodes("GetLineageSubgraph",
                                         subgraph.artifact_ids.size() +
                                             subgraph.execution_ids.size() +
                                             subgraph.context_ids.size(),
                                         options_.max_answer_nodes));

  const std::set<std::string> fields = MaskedFields(request.read_mask());
  ml_metadata::LineageGraph graph;
  if (fields.count("artifacts") > 0) {
    for (int64_t id : subgraph.artifact_ids) graph.add_artifacts()->set_id(id);
  }
  if (fields.count("executions") > 0) {
    for (int64_t id : subgraph.execution_ids) {
      graph.add_executions()->set_id(id);
    }
  }
  if (fields.count("contexts") > 0) {
    for (int64_t id : subgraph.context_ids) graph.add_contexts()->set_id(id);
  }
  if (fields.count("events") > 0 && !subgraph.events.empty()) {
    MLMDX_ASSIGN_OR_RETURN(std::vector<ml_metadata::Event> events,
                           HydrateEvents(subgraph.events));
    for (auto& event : events) *graph.add_events() = std::move(event);
  }
  if (fields.count("attributions") > 0) {
    for (const auto& [context, artifact] : subgraph.attributions) {
      auto* link = graph.add_attributions();
      link->set_artifact_id(artifact);
      link->set_context_id(context);
    }
  }
  if (fields.count("associations") > 0) {
    for (const auto& [context, execution] : subgraph.associations) {
      auto* link = graph.add_associations();
      link->set_execution_id(execution);
      link->set_context_id(context);
    }
  }
  if (fields.count("artifact_types") > 0 ||
      fields.count("execution_types") > 0 ||
      fields.count("context_types") > 0) {
    ml_metadata::LineageGraph types;
    MLMDX_RETURN_IF_ERROR(store_->GetLineageTypes(&types));
    if (fields.count("artifact_types") > 0) {
      *graph.mutable_artifact_types() =
          std::move(*types.mutable_artifact_types());
    }
    if (fields.count("execution_types") > 0) {
      *graph.mutable_execution_types() =
          std::move(*types.mutable_execution_types());
    }
    if (fields.count("context_types") > 0) {
      *graph.mutable_context_types() =
          std::move(*types.mutable_context_types());
    }
  }
  *response->mutable_lineage_subgraph() = std::move(graph);
  return absl::OkStatus();
}

absl::Status LineageEngine::GetLineageGraph(
    const ml_metadata::GetLineageGraphRequest& request,
    ml_metadata::GetLineageGraphResponse* response) {
  response->Clear();
  constexpr int64_t kMaxLegacyHops = 20;
  const ml_metadata::LineageGraphQueryOptions& options = request.options();
  if (!options.has_artifacts_options()) {
    return absl::InvalidArgumentError(
        "Missing query_nodes conditions: set options.artifacts_options");
  }
  lineage::LineageGraphQuery query;
  const auto& stop = options.stop_conditions();
  query.max_num_hops =
      stop.has_max_num_hops() ? stop.max_num_hops() : kMaxLegacyHops;
  if (query.max_num_hops < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.stop_conditions.max_num_hops cannot be "
                     "negative: got ",
                     query.max_num_hops));
  }
  query.max_num_hops = std::min(query.max_num_hops, kMaxLegacyHops);
  query.max_node_size = options.max_node_size();

  // The query nodes: one page of GetArtifacts; its token is not followed.
  ml_metadata::GetArtifactsRequest page_request;
  *page_request.mutable_options() = options.artifacts_options();
  ml_metadata::GetArtifactsResponse page;
  MLMDX_RETURN_IF_ERROR(store_->GetArtifacts(page_request, &page));
  if (page.artifacts().empty()) {
    return absl::NotFoundError(
        "The query_nodes condition does not match any nodes to do "
        "traversal.");
  }
  for (const auto& artifact : page.artifacts()) {
    query.query_artifact_ids.push_back(artifact.id());
  }

  const std::string boundary[2] = {stop.boundary_artifacts(),
                                   stop.boundary_executions()};
  query.boundary_set[0] = !boundary[0].empty();
  query.boundary_set[1] = !boundary[1].empty();
  query.boundary_filter = [this, &boundary](
                              lineage::NodeKind kind,
                              absl::Span<const int64_t> candidates)
      -> absl::StatusOr<std::vector<int64_t>> {
    return store_->FilterNodeIds(
        StoreKind(kind), boundary[static_cast<int>(kind)],
        std::vector<int64_t>(candidates.begin(), candidates.end()));
  };
  const std::optional<lineage::Visibility> visibility = CurrentVisibility();
  query.visibility = visibility.has_value() ? &*visibility : nullptr;
  MLMDX_ASSIGN_OR_RETURN(lineage::LineageGraphResult result,
                         lineage::GetLineageGraph(index_, query));
  MLMDX_RETURN_IF_ERROR(
      CheckAnswerNodes("GetLineageGraph",
                       result.artifact_ids.size() + result.execution_ids.size(),
                       options_.max_answer_nodes));

  // Full nodes, full events, and the user types of every kind.
  ml_metadata::LineageGraph graph;
  ml_metadata::GetArtifactsByIDRequest artifacts_request;
  for (int64_t id : result.artifact_ids) artifacts_request.add_artifact_ids(id);
  ml_metadata::GetArtifactsByIDResponse artifacts;
  MLMDX_RETURN_IF_ERROR(
      store_->GetArtifactsByID(artifacts_request, &artifacts));
  *graph.mutable_artifacts() = std::move(*artifacts.mutable_artifacts());
  ml_metadata::GetExecutionsByIDRequest executions_request;
  for (int64_t id : result.execution_ids) {
    executions_request.add_execution_ids(id);
  }
  ml_metadata::GetExecutionsByIDResponse executions;
  MLMDX_RETURN_IF_ERROR(
      store_->GetExecutionsByID(executions_request, &executions));
  *graph.mutable_executions() = std::move(*executions.mutable_executions());
  MLMDX_ASSIGN_OR_RETURN(std::vector<ml_metadata::Event> events,
                         HydrateEvents(result.events));
  for (auto& event : events) *graph.add_events() = std::move(event);
  ml_metadata::GetArtifactTypesResponse artifact_types;
  MLMDX_RETURN_IF_ERROR(store_->GetArtifactTypes({}, &artifact_types));
  for (auto& type : *artifact_types.mutable_artifact_types()) {
    type.clear_base_type();
    *graph.add_artifact_types() = std::move(type);
  }
  ml_metadata::GetExecutionTypesResponse execution_types;
  MLMDX_RETURN_IF_ERROR(store_->GetExecutionTypes({}, &execution_types));
  for (auto& type : *execution_types.mutable_execution_types()) {
    type.clear_base_type();
    *graph.add_execution_types() = std::move(type);
  }
  ml_metadata::GetContextTypesResponse context_types;
  MLMDX_RETURN_IF_ERROR(store_->GetContextTypes({}, &context_types));
  *graph.mutable_context_types() =
      std::move(*context_types.mutable_context_types());
  *response->mutable_subgraph() = std::move(graph);
  return absl::OkStatus();
}

}  // namespace mlmdx::engine
