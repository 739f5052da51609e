// File: lineage/internal/subgraph_examples.h
// -----------------------------------------------------------------------------
//
// Test-only: the node ids, query builders and graph G1 fixture shared by
// the tests of the spec/lineage.md §2.7 worked examples.
//
// Example:
//
//   TEST_F(G1Test, X) { Subgraph g = Run(Query(NodeKind::kArtifact, {A(4)},
//   1)); }
//
// Thread-safety: none.

#ifndef MLMDX_LINEAGE_INTERNAL_SUBGRAPH_EXAMPLES_H_
#define MLMDX_LINEAGE_INTERNAL_SUBGRAPH_EXAMPLES_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "lineage/graph_index.h"
#include "lineage/internal/test_graph.h"

namespace mlmdx::lineage::internal {

// Artifact, execution and context ids of the examples: a_i, e_i, c_i.
constexpr int64_t A(int i) { return 100 + i; }
constexpr int64_t E(int i) { return 200 + i; }
constexpr int64_t C(int i) { return 300 + i; }

inline std::vector<int64_t> As(std::vector<int> is) {
  std::vector<int64_t> out;
  for (int i : is) out.push_back(A(i));
  return out;
}
inline std::vector<int64_t> Es(std::vector<int> is) {
  std::vector<int64_t> out;
  for (int i : is) out.push_back(E(i));
  return out;
}

inline SubgraphQuery Query(NodeKind kind, std::vector<int64_t> start,
                           int64_t hops,
                           Direction direction = Direction::kBidirectional) {
  SubgraphQuery q;
  q.start_kind = kind;
  q.start_ids = std::move(start);
  q.max_num_hops = hops;
  q.direction = direction;
  return q;
}

inline void SetEnding(SubgraphQuery& q, const IdSetFilter& filter,
                      bool set_artifacts, bool set_executions, bool include) {
  q.ending_set[0] = set_artifacts;
  q.ending_set[1] = set_executions;
  q.include_ending[0] = q.include_ending[1] = include;
  q.ending_filter = filter.AsFilter();
}

// Graph G1 (CreateLineageGraph); event ids in the order written here.
class G1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    TestGraph g;
    g.Input(A(0), E(0));                     // 1
    g.Input(A(1), E(1)).Output(A(3), E(1));  // 2, 3
    g.Input(A(2), E(2)).Output(A(4), E(2));  // 4, 5
    g.Input(A(3), E(3)).Input(A(4), E(3));   // 6, 7
    g.Output(A(5), E(3));                    // 8
    index_.Apply(g.changes);
  }

  Subgraph Run(const SubgraphQuery& q) {
    absl::StatusOr<Subgraph> g = index_.GetLineageSubgraph(q);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : Subgraph{};
  }

  GraphIndex index_;
};

}  // namespace mlmdx::lineage::internal

#endif  // MLMDX_LINEAGE_INTERNAL_SUBGRAPH_EXAMPLES_H_
