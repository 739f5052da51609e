// File: bench/pipeline_db.h
// -----------------------------------------------------------------------------
//
// Generates the benchmarks' pipeline-shaped databases of N artifacts, in
// process through store::MetadataStore::PutLineageSubgraph in batches
// (SQLite with synchronous=OFF, or PostgreSQL): pipelines of kRunsPerPipeline
// KFP-like runs (workloads/kfp_run.md: preprocess -> dataset, train -> model,
// evaluate -> metrics, each task also writing an executor-logs artifact; events
// carry a path step; each batch of runs is one context). Every run's preprocess
// reads its pipeline's source dataset (fan-out), and nine trains in ten
// warm-start from the previous run's model (a chain across runs); in every
// 20th pipeline every train does, so its last model has a 50-run upstream
// chain. Runs of different pipelines are interleaved in id order, as
// concurrent pipelines are. Larger N means more pipelines, not deeper ones.
//
// Example:
//
//   Graph graph = GeneratePipelineDatabase("/tmp/bench.sqlite", 100000);
//   int64_t model = graph.models[kRunsPerPipeline - 1][0];

#ifndef MLMDX_BENCH_PIPELINE_DB_H_
#define MLMDX_BENCH_PIPELINE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "store/metadata_store.h"

namespace mlmdx::bench {

constexpr int kRunsPerPipeline = 50;
constexpr int kArtifactsPerRun = 6;
constexpr int kPipelinesPerBatch = 100;
// Every 20th pipeline (0, 20, 40, ...) warm-starts every train from the
// previous run's model, so the upstream lineage of its last model is a
// chain through all 50 runs (~100 hops, MLMD's cap).
constexpr int64_t kChainedPipelineEvery = 20;

inline bool IsChained(int64_t pipeline) {
  return pipeline % kChainedPipelineEvery == 0;
}

// Prints `what` and exits 1 (the benchmarks' answer to a broken set-up).
[[noreturn]] void Die(const std::string& what);
// Die(what: status) unless `status` is OK.
void Check(const absl::Status& status, const std::string& what);

// Ids of the artifacts queries start from.
struct Graph {
  int64_t artifacts = 0;
  int64_t executions = 0;
  int64_t events = 0;
  // models[run][pipeline], datasets[run][pipeline], sources[pipeline]
  std::vector<std::vector<int64_t>> models;
  std::vector<std::vector<int64_t>> datasets;
  std::vector<int64_t> sources;
  // Pipelines of each kind, for picking starting nodes.
  std::vector<int64_t> ordinary_pipelines;
  std::vector<int64_t> chained_pipelines;
};

// Creates (or appends to) the database `db` with about `size` artifacts;
// exits the process on any error. `db` is what `mlmdx serve --db` takes: a
// SQLite file, or a postgresql:// URI (the database is created when
// missing). The store writes either the same way, so a database of the
// same size has the same ids on both.
Graph GeneratePipelineDatabase(const std::string& db, int64_t size);

// The store the generator writes `db` through (SQLite without syncs, as
// nothing is durable until the generation ends), for adding to what it
// made; exits the process on errors.
std::unique_ptr<store::MetadataStore> OpenGeneratorStore(const std::string& db);

}  // namespace mlmdx::bench

#endif  // MLMDX_BENCH_PIPELINE_DB_H_
