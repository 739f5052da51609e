#include "bench/lineage_cases.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mlmdx::bench {

using ml_metadata::Artifact;
using ml_metadata::Event;
using ml_metadata::LineageGraph;
using ml_metadata::LineageSubgraphQueryOptions;

std::vector<LineageCase> LineageCases() {
  const auto up = LineageSubgraphQueryOptions::UPSTREAM;
  const auto down = LineageSubgraphQueryOptions::DOWNSTREAM;
  const Mask python = Mask::kPythonClient;
  return {
      {"upstream from model, 2 hops", Start::kRecentModel, up, 2, python},
      {"upstream from model, 10 hops", Start::kRecentModel, up, 10, python},
      {"upstream from model, unset", Start::kRecentModel, up, -1, python},
      {"downstream from dataset, 2 hops", Start::kEarlyDataset, down, 2,
       python},
      {"downstream from dataset, 10 hops", Start::kEarlyDataset, down, 10,
       python},
      {"downstream from dataset, unset", Start::kEarlyDataset, down, -1,
       python},
      {"upstream, 50-run chain, unset", Start::kChainEndModel, up, -1, python},
      {"downstream from source, unset", Start::kSourceDataset, down, -1,
       python},
      {"upstream from model, unset (old mask)", Start::kRecentModel, up, -1,
       Mask::kNodesAndEvents},
  };
}

int64_t PickStart(Start start, const Graph& graph, std::mt19937_64& random) {
  const std::vector<int64_t>& ordinary = graph.ordinary_pipelines.empty()
                                             ? graph.chained_pipelines
                                             : graph.ordinary_pipelines;
  switch (start) {
    case Start::kRecentModel: {
      const int64_t p = ordinary[random() % ordinary.size()];
      return graph.models[kRunsPerPipeline - 1 - random() % 10][p];
    }
    case Start::kEarlyDataset: {
      const int64_t p = ordinary[random() % ordinary.size()];
      return graph.datasets[random() % 10][p];
    }
    case Start::kChainEndModel: {
      const int64_t p =
          graph.chained_pipelines[random() % graph.chained_pipelines.size()];
      return graph.models[kRunsPerPipeline - 1][p];
    }
    case Start::kSourceDataset:
      return graph.sources[ordinary[random() % ordinary.size()]];
  }
  return 0;
}

ml_metadata::GetLineageSubgraphRequest MakeLineageRequest(const LineageCase& c,
                                                          int64_t start_id) {
  ml_metadata::GetLineageSubgraphRequest request;
  auto& options = *request.mutable_lineage_subgraph_query_options();
  options.mutable_starting_artifacts()->set_filter_query(
      absl::StrCat("id = ", start_id));
  if (c.hops >= 0) options.set_max_num_hops(c.hops);
  options.set_direction(c.direction);
  const std::vector<const char*> paths =
      c.mask == Mask::kPythonClient
          ? std::vector<const char*>{"artifacts",    "executions",
                                     "contexts",     "events",
                                     "attributions", "associations"}
          : std::vector<const char*>{"artifacts", "executions", "events"};
  for (const char* path : paths) request.mutable_read_mask()->add_paths(path);
  return request;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
}

namespace {

template <typename Message, typename Key>
std::vector<Key> SortedKeys(
    const google::protobuf::RepeatedPtrField<Message>& messages,
    Key (*key)(const Message&)) {
  std::vector<Key> keys;
  keys.reserve(messages.size());
  for (const Message& m : messages) keys.push_back(key(m));
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string EventText(const Event& e, EventTimes times) {
  std::vector<std::string> steps;
  for (const auto& step : e.path().steps()) {
    steps.push_back(step.has_index() ? absl::StrCat("#", step.index())
                                     : absl::StrCat("'", step.key(), "'"));
  }
  return absl::StrCat(
      "(a", e.artifact_id(), ", e", e.execution_id(), ", t", e.type(), ", ms ",
      times == EventTimes::kCompare ? absl::StrCat(e.milliseconds_since_epoch())
                                    : "-",
      ", [", absl::StrJoin(steps, " "), "])");
}

}  // namespace

std::string LineageDifference(const LineageGraph& a, const LineageGraph& b,
                              EventTimes times) {
  using ml_metadata::Association;
  using ml_metadata::Attribution;
  using ml_metadata::Context;
  using ml_metadata::Execution;
  const auto id_of_artifact = +[](const Artifact& n) { return n.id(); };
  const auto id_of_execution = +[](const Execution& n) { return n.id(); };
  const auto id_of_context = +[](const Context& n) { return n.id(); };
  const auto attribution_pair = +[](const Attribution& l) {
    return std::make_pair(l.context_id(), l.artifact_id());
  };
  const auto association_pair = +[](const Association& l) {
    return std::make_pair(l.context_id(), l.execution_id());
  };
  std::string difference;
  const auto compare = [&difference](const char* what, const auto& x,
                                     const auto& y, auto key) {
    if (difference.empty() && SortedKeys(x, key) != SortedKeys(y, key)) {
      difference =
          absl::StrCat(what, " differ (", x.size(), " vs ", y.size(), ")");
    }
  };
  compare("artifacts", a.artifacts(), b.artifacts(), id_of_artifact);
  compare("executions", a.executions(), b.executions(), id_of_execution);
  compare("contexts", a.contexts(), b.contexts(), id_of_context);
  compare("attributions", a.attributions(), b.attributions(), attribution_pair);
  compare("associations", a.associations(), b.associations(), association_pair);
  if (!difference.empty()) return difference;
  if (a.events_size() != b.events_size()) {
    return absl::StrCat("event counts differ (", a.events_size(), " vs ",
                        b.events_size(), ")");
  }
  for (int i = 0; i < a.events_size(); ++i) {
    if (EventText(a.events(i), times) != EventText(b.events(i), times)) {
      return absl::StrCat("event ", i,
                          " differs: ", EventText(a.events(i), times), " vs ",
                          EventText(b.events(i), times));
    }
  }
  return "";
}

}  // namespace mlmdx::bench
