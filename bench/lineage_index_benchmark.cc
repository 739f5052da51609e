// In-memory lineage index: build time and memory for a pipeline-shaped
// graph of N events, and GetLineageSubgraph at 2, 10 and 100 hops upstream
// and downstream. No SQL, no gRPC: this measures lineage/ alone.
//
// Graph: 100 shared dataset artifacts; runs of 10 chained steps, each step
// one execution consuming the previous step's first output (the run's
// dataset for step 0), every third step also an output of two steps back
// (a diamond), and producing two artifacts. About 3.4 events per step.
// Every run has a context holding its executions (association) and
// artifacts (attribution).
//
// BM_BoostGraphBuild holds the same events in a Boost.Graph
// adjacency_list (bidirectional, the event id and type as the bundled edge
// property, plus the id -> vertex maps needed to apply events by id), as
// the design alternative for lineage/: its heap use per event, measured the
// same way (malloc's in-use bytes before and after), is why lineage/ keeps
// its own compact structure.
//
// BM_VisibleSubgraph measures namespace visibility (lineage/visibility.h)
// on the same walks: the runs' contexts are put in ten namespaces
// (team-<run % 10>), and each iteration runs, interleaved, the walk on the
// index without namespaces, on the index with them but no visibility (the
// no-scope path of a caller granted `*`), and with the visibility of the
// one team whose runs the walk covers (the same answer). It reports
// `x_no_scope` (the second over the first) and `x_scoped` (the third over
// the second): ratios from one run, so a noisy shared machine moves both
// sides alike. It also reports `ns_bytes_per_node`: what the index with
// namespaces holds beyond the one without, per artifact and execution.
//
// Wall time on a shared machine moves with its load; instruction counts do
// not. `--mlmdx_count_walks=EVENTS,HOPS,DIR,REPEAT` runs, instead of the
// benchmarks, one BM_VisibleSubgraph case REPEAT times unscoped
// (CountUnscopedWalks) and then REPEAT times scoped (CountScopedWalks) on
// the index with namespaces, for counting under valgrind:
//   valgrind --tool=callgrind --callgrind-out-file=walks.out
//       mlmdx_lineage_benchmark --mlmdx_count_walks=100000,10,1,1000
//   callgrind_annotate --inclusive=yes walks.out | grep -E 'Count(Uns|S)coped'
//
// Usage:
//   mlmdx_lineage_benchmark [benchmark flags]
// Sizes are 100,000 and 1,000,000 events (the /N argument of every case).

#include <malloc.h>

#include <boost/graph/adjacency_list.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "lineage/graph_index.h"

namespace mlmdx::bench {
namespace {

using lineage::ChangeSet;
using lineage::Direction;
using lineage::GraphIndex;
using lineage::NodeKind;

constexpr int kDatasets = 100;
constexpr int kStepsPerRun = 10;

constexpr int kTeams = 10;

struct Pipeline {
  std::vector<ChangeSet> changes;  // one per execution
  int64_t events = 0;
  int64_t some_dataset = 1;      // a shared input: downstream fan-out
  int64_t some_last_output = 0;  // end of a run in the middle: upstream
  // The run (context) of some_last_output.
  int64_t some_run = 0;
  // Run contexts, ascending.
  int64_t runs = 0;
};

// Run `context`'s namespace. Dataset d feeds runs d-1, d+99, ... whose
// namespaces are all team-<(d-1) % 10>: a walk from one dataset or one run
// stays within one team.
std::string TeamOf(int64_t context) {
  return absl::StrCat("team-", context % kTeams);
}

Pipeline MakePipeline(int64_t target_events) {
  Pipeline p;
  int64_t artifact = kDatasets, execution = 0, event = 0, context = 0;
  while (p.events < target_events) {
    ++context;
    const int64_t dataset = 1 + context % kDatasets;
    std::vector<int64_t> firsts;  // first output of each step
    for (int step = 0; step < kStepsPerRun; ++step) {
      ChangeSet c;
      ++execution;
      const int64_t in = step == 0 ? dataset : firsts.back();
      c.events.push_back({++event, in, execution, 3});
      if (step >= 2 && step % 3 == 0) {
        c.events.push_back({++event, firsts[step - 2] + 1, execution, 3});
      }
      firsts.push_back(artifact + 1);
      for (int o = 0; o < 2; ++o) {
        c.events.push_back({++event, ++artifact, execution, 4});
        c.attributions.emplace_back(context, artifact);
      }
      c.associations.emplace_back(context, execution);
      p.events += static_cast<int64_t>(c.events.size());
      p.changes.push_back(std::move(c));
    }
    if (p.events < target_events / 2) {
      p.some_last_output = firsts.back();
      p.some_run = context;
    }
  }
  p.runs = context;
  return p;
}

const Pipeline& GetPipeline(int64_t events) {
  static auto* cache = new std::map<int64_t, std::unique_ptr<Pipeline>>;
  auto& p = (*cache)[events];
  if (p == nullptr) p = std::make_unique<Pipeline>(MakePipeline(events));
  return *p;
}

const GraphIndex& GetIndex(int64_t events) {
  static auto* cache = new std::map<int64_t, std::unique_ptr<GraphIndex>>;
  auto& index = (*cache)[events];
  if (index == nullptr) {
    index = std::make_unique<GraphIndex>();
    for (const ChangeSet& c : GetPipeline(events).changes) index->Apply(c);
  }
  return *index;
}

// The index of GetIndex(events) plus every run's namespace.
const GraphIndex& GetIndexWithNamespaces(int64_t events) {
  static auto* cache = new std::map<int64_t, std::unique_ptr<GraphIndex>>;
  auto& index = (*cache)[events];
  if (index == nullptr) {
    index = std::make_unique<GraphIndex>();
    const Pipeline& p = GetPipeline(events);
    for (const ChangeSet& c : p.changes) index->Apply(c);
    ChangeSet namespaces;
    for (int64_t run = 1; run <= p.runs; ++run) {
      namespaces.context_namespaces.emplace_back(run, TeamOf(run));
    }
    index->Apply(namespaces);
  }
  return *index;
}

// Bytes malloc reports in use.
size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_Build(benchmark::State& state) {
  const Pipeline& p = GetPipeline(state.range(0));
  size_t bytes = 0, events = 0, heap = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    GraphIndex index;
    for (const ChangeSet& c : p.changes) index.Apply(c);
    heap = HeapInUse() - before;
    bytes = index.MemoryBytes();
    events = index.event_count();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["heap_bytes_per_event"] = static_cast<double>(heap) / events;
  state.counters["events"] = static_cast<double>(events);
  state.counters["memory_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["bytes_per_event"] = static_cast<double>(bytes) / events;
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events),
                         benchmark::Counter::kIsIterationInvariantRate);
  std::printf("lineage index: %zu events, %zu bytes, %.1f bytes/event\n",
              events, bytes, static_cast<double>(bytes) / events);
}
BENCHMARK(BM_Build)->Arg(100'000)->Arg(1'000'000)->Unit(
    benchmark::kMillisecond);

struct BoostEvent {
  int64_t event_id;
  uint8_t type;
};
using BoostLineageGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                          boost::no_property, BoostEvent>;

void BM_BoostGraphBuild(benchmark::State& state) {
  const Pipeline& p = GetPipeline(state.range(0));
  size_t heap = 0, events = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    BoostLineageGraph graph;
    absl::flat_hash_map<int64_t, BoostLineageGraph::vertex_descriptor>
        vertex_of[2];
    const auto vertex = [&](int kind, int64_t id) {
      auto [it, inserted] = vertex_of[kind].try_emplace(id);
      if (inserted) it->second = boost::add_vertex(graph);
      return it->second;
    };
    for (const ChangeSet& c : p.changes) {
      for (const lineage::EventRef& e : c.events) {
        // Edges point downstream: input artifact -> execution -> output.
        const auto a = vertex(0, e.artifact_id);
        const auto x = vertex(1, e.execution_id);
        const BoostEvent props{e.event_id, static_cast<uint8_t>(e.type)};
        if (e.type == 3) {
          boost::add_edge(a, x, props, graph);
        } else {
          boost::add_edge(x, a, props, graph);
        }
      }
    }
    heap = HeapInUse() - before;
    events = boost::num_edges(graph);
    benchmark::DoNotOptimize(heap);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["heap_bytes_per_event"] = static_cast<double>(heap) / events;
  std::printf("Boost.Graph adjacency_list: %zu events, %.1f heap bytes/event\n",
              events, static_cast<double>(heap) / events);
}
BENCHMARK(BM_BoostGraphBuild)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

// Args: events, hops, direction (1 upstream, 2 downstream).
void BM_Subgraph(benchmark::State& state) {
  const Pipeline& p = GetPipeline(state.range(0));
  const GraphIndex& index = GetIndex(state.range(0));
  lineage::SubgraphQuery q;
  q.start_kind = NodeKind::kArtifact;
  q.max_num_hops = state.range(1);
  q.direction =
      state.range(2) == 1 ? Direction::kUpstream : Direction::kDownstream;
  q.start_ids = {q.direction == Direction::kUpstream ? p.some_last_output
                                                     : p.some_dataset};
  size_t nodes = 0, events = 0;
  for (auto _ : state) {
    absl::StatusOr<lineage::Subgraph> g = index.GetLineageSubgraph(q);
    if (!g.ok()) {
      state.SkipWithError(g.status().ToString().c_str());
      return;
    }
    nodes = g->artifact_ids.size() + g->execution_ids.size();
    events = g->events.size();
    benchmark::DoNotOptimize(g);
  }
  state.counters["nodes"] = static_cast<double>(nodes);
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_Subgraph)
    ->ArgNames({"events", "hops", "dir"})
    ->ArgsProduct({{100'000, 1'000'000}, {2, 10, 100}, {1, 2}})
    ->Unit(benchmark::kMicrosecond);

// One BM_VisibleSubgraph case: the walk without and with the visibility
// of the team it covers (`scoped.visibility` points into this object).
struct WalkCase {
  WalkCase(const Pipeline& p, int64_t hops, int64_t dir) {
    unscoped.start_kind = NodeKind::kArtifact;
    unscoped.max_num_hops = hops;
    unscoped.direction =
        dir == 1 ? Direction::kUpstream : Direction::kDownstream;
    const bool upstream = unscoped.direction == Direction::kUpstream;
    unscoped.start_ids = {upstream ? p.some_last_output : p.some_dataset};
    team.namespaces = {TeamOf(upstream ? p.some_run : p.some_dataset - 1)};
    scoped = unscoped;
    scoped.visibility = &team;
  }
  WalkCase(const WalkCase&) = delete;
  WalkCase& operator=(const WalkCase&) = delete;

  lineage::Visibility team;
  lineage::SubgraphQuery unscoped;
  lineage::SubgraphQuery scoped;
};

// Args: events, hops, direction (1 upstream, 2 downstream).
void BM_VisibleSubgraph(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const Pipeline& p = GetPipeline(state.range(0));
  const GraphIndex& plain = GetIndex(state.range(0));
  const GraphIndex& with_namespaces = GetIndexWithNamespaces(state.range(0));
  const WalkCase walk(p, state.range(1), state.range(2));
  const lineage::SubgraphQuery& q = walk.unscoped;
  const lineage::SubgraphQuery& scoped = walk.scoped;
  double seconds[3] = {0, 0, 0};
  size_t nodes[3] = {0, 0, 0};
  for (auto _ : state) {
    const struct {
      const GraphIndex* index;
      const lineage::SubgraphQuery* query;
    } runs[3] = {
        {&plain, &q}, {&with_namespaces, &q}, {&with_namespaces, &scoped}};
    for (int i = 0; i < 3; ++i) {
      const Clock::time_point start = Clock::now();
      absl::StatusOr<lineage::Subgraph> g =
          runs[i].index->GetLineageSubgraph(*runs[i].query);
      seconds[i] += std::chrono::duration<double>(Clock::now() - start).count();
      if (!g.ok()) {
        state.SkipWithError(g.status().ToString().c_str());
        return;
      }
      nodes[i] = g->artifact_ids.size() + g->execution_ids.size() +
                 g->context_ids.size();
      benchmark::DoNotOptimize(g);
    }
  }
  if (nodes[0] != nodes[1] || nodes[1] != nodes[2]) {
    state.SkipWithError("the three walks answered differently");
    return;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["nodes"] = static_cast<double>(nodes[2]);
  state.counters["plain_us"] = seconds[0] / n * 1e6;
  state.counters["no_scope_us"] = seconds[1] / n * 1e6;
  state.counters["scoped_us"] = seconds[2] / n * 1e6;
  state.counters["x_no_scope"] = seconds[1] / seconds[0];
  state.counters["x_scoped"] = seconds[2] / seconds[1];
  const GraphIndex::Stats stats = plain.stats();
  state.counters["ns_bytes_per_node"] =
      static_cast<double>(with_namespaces.MemoryBytes() - plain.MemoryBytes()) /
      static_cast<double>(stats.artifacts + stats.executions);
}
BENCHMARK(BM_VisibleSubgraph)
    ->ArgNames({"events", "hops", "dir"})
    ->ArgsProduct({{100'000, 1'000'000}, {2, 10, 100}, {1, 2}})
    ->Unit(benchmark::kMicrosecond);

size_t RunWalks(const GraphIndex& index, const lineage::SubgraphQuery& q,
                int64_t repeat) {
  size_t nodes = 0;
  for (int64_t i = 0; i < repeat; ++i) {
    absl::StatusOr<lineage::Subgraph> g = index.GetLineageSubgraph(q);
    if (!g.ok()) {
      std::fprintf(stderr, "%s\n", g.status().ToString().c_str());
      std::exit(1);
    }
    nodes = g->artifact_ids.size() + g->execution_ids.size() +
            g->context_ids.size();
  }
  return nodes;
}

// Kept out of line so that callgrind reports each by name.
ABSL_ATTRIBUTE_NOINLINE size_t CountUnscopedWalks(const GraphIndex& index,
                                                  const WalkCase& walk,
                                                  int64_t repeat) {
  return RunWalks(index, walk.unscoped, repeat);
}

ABSL_ATTRIBUTE_NOINLINE size_t CountScopedWalks(const GraphIndex& index,
                                                const WalkCase& walk,
                                                int64_t repeat) {
  return RunWalks(index, walk.scoped, repeat);
}

// `spec` is EVENTS,HOPS,DIR,REPEAT. Returns the exit code.
int CountWalks(const char* spec) {
  long long events = 0, hops = 0, dir = 0, repeat = 0;
  if (std::sscanf(spec, "%lld,%lld,%lld,%lld", &events, &hops, &dir, &repeat) !=
          4 ||
      events <= 0 || hops < 0 || (dir != 1 && dir != 2) || repeat <= 0) {
    std::fprintf(stderr,
                 "--mlmdx_count_walks wants EVENTS,HOPS,DIR,REPEAT (DIR 1 "
                 "upstream, 2 downstream), got '%s'\n",
                 spec);
    return 2;
  }
  const GraphIndex& index = GetIndexWithNamespaces(events);
  const WalkCase walk(GetPipeline(events), hops, dir);
  const size_t unscoped = CountUnscopedWalks(index, walk, repeat);
  const size_t scoped = CountScopedWalks(index, walk, repeat);
  std::printf(
      "walks of %lld events, %lld hops, dir %lld: %zu nodes "
      "unscoped, %zu scoped, %lld times each\n",
      events, hops, dir, unscoped, scoped, repeat);
  return unscoped == scoped ? 0 : 1;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  constexpr char kCountWalks[] = "--mlmdx_count_walks=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kCountWalks, sizeof(kCountWalks) - 1) == 0) {
      return mlmdx::bench::CountWalks(argv[i] + sizeof(kCountWalks) - 1);
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
