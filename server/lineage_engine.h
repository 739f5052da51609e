// File: server/lineage_engine.h
// -----------------------------------------------------------------------------
//
// Answers the lineage RPCs from the in-memory graph index (lineage/) and the
// store: the store picks starting nodes and evaluates ending filters (the
// filter language lives there), the index walks the graph, and the store
// hydrates the answer's events and types in a few batched reads. The index
// is built from the database at start-up and then follows every committed
// write through the store's commit listener, before that write's RPC
// returns, so an acknowledged write is visible to the next lineage query.
//
// Thread-safety: thread-safe.

#ifndef MLMDX_SERVER_LINEAGE_ENGINE_H_
#define MLMDX_SERVER_LINEAGE_ENGINE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "lineage/graph_index.h"
#include "lineage/lineage_graph.h"
#include "ml_metadata/proto/metadata_store_service.pb.h"
#include "store/metadata_store.h"

namespace mlmdx::server {

class LineageEngine {
 public:
  // Subscribes to `store`'s commits and builds the index from its rows.
  // `store` must outlive the engine.
  static absl::StatusOr<std::unique_ptr<LineageEngine>> Start(
      store::MetadataStore* store);

  LineageEngine(const LineageEngine&) = delete;
  LineageEngine& operator=(const LineageEngine&) = delete;

  // MLMD's GetLineageSubgraph (spec/lineage.md §2).
  //   INVALID_ARGUMENT  no starting nodes, empty starting filter, negative
  //                     max_num_hops, a bad filter
  //   NOT_FOUND         the starting filter matches nothing
  absl::Status GetLineageSubgraph(
      const ml_metadata::GetLineageSubgraphRequest& request,
      ml_metadata::GetLineageSubgraphResponse* response);

  // The deprecated GetLineageGraph with MLMD 1.14's library semantics
  // (spec/lineage.md §3.3), which MLMD's server never served: query nodes
  // are one page of GetArtifacts, the walk is bidirectional, at most 20
  // hops and `max_node_size` nodes.
  //   INVALID_ARGUMENT  no artifacts_options, negative hops, a bad filter
  //   NOT_FOUND         the page of query nodes is empty
  absl::Status GetLineageGraph(
      const ml_metadata::GetLineageGraphRequest& request,
      ml_metadata::GetLineageGraphResponse* response);

  const lineage::GraphIndex& index() const { return index_; }

 private:
  explicit LineageEngine(store::MetadataStore* store) : store_(store) {}

  store::MetadataStore* const store_;
  lineage::GraphIndex index_;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_LINEAGE_ENGINE_H_
