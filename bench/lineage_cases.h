// File: bench/lineage_cases.h
// -----------------------------------------------------------------------------
//
// The GetLineageSubgraph requests the lineage benchmarks send to the
// pipeline-shaped databases of bench/pipeline_db.h, and the comparison of
// two servers' answers, so that every backend and every server is timed on
// the same shapes and checked the same way.
//
// Cases: upstream from a recent model and downstream from an early dataset
// at 2, 10 and unset (100) hops; upstream from the last model of a 50-run
// chain (deep); downstream from a pipeline's source dataset (wide: all 50
// runs); all with the read mask MLMD's Python client sends (artifacts,
// executions, contexts, events, attributions, associations), plus one case
// with the mask artifacts, executions, events.
//
// Example:
//
//   std::mt19937_64 random(1);
//   for (const LineageCase& c : LineageCases()) {
//     auto request = MakeLineageRequest(c, PickStart(c.start, graph, random));
//     ...
//   }

#ifndef MLMDX_BENCH_LINEAGE_CASES_H_
#define MLMDX_BENCH_LINEAGE_CASES_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench/pipeline_db.h"
#include "ml_metadata/proto/metadata_store_service.pb.h"

namespace mlmdx::bench {

// Where a case's queries start.
enum class Start {
  kRecentModel,    // model of one of the last 10 runs, ordinary pipeline
  kEarlyDataset,   // dataset of one of the first 10 runs, ordinary pipeline
  kChainEndModel,  // model of the last run of a chained pipeline
  kSourceDataset,  // source dataset of an ordinary pipeline
};

// Read masks: what MLMD's Python client sends (it strips the *_types
// paths), and the nodes-and-events mask of earlier runs.
enum class Mask { kPythonClient, kNodesAndEvents };

struct LineageCase {
  std::string name;
  Start start;
  ml_metadata::LineageSubgraphQueryOptions::Direction direction;
  int hops;  // -1: unset (100)
  Mask mask;
};

std::vector<LineageCase> LineageCases();

// A random starting artifact of kind `start` in `graph`.
int64_t PickStart(Start start, const Graph& graph, std::mt19937_64& random);

// The request of case `c` from the artifact `start_id` (filter `id = N`).
ml_metadata::GetLineageSubgraphRequest MakeLineageRequest(const LineageCase& c,
                                                          int64_t start_id);

enum class EventTimes { kCompare, kIgnore };

// Empty when the two answers agree: node and context ids, attributions and
// associations as sets; events field by field, in order (their times only
// with kCompare: two databases generated apart differ there). Otherwise
// the first difference, in words.
std::string LineageDifference(const ml_metadata::LineageGraph& a,
                              const ml_metadata::LineageGraph& b,
                              EventTimes times = EventTimes::kCompare);

// The q-quantile (0 <= q < 1) of `v`, 0 when empty.
double Percentile(std::vector<double> v, double q);

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_LINEAGE_CASES_H_
