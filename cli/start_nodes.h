// File: cli/start_nodes.h
// -----------------------------------------------------------------------------
//
// The node a lineage or audit verb starts from, named on the command line
// by URI or id: the flags, the check that it exists (NOT_FOUND naming what
// was not found), and the GetLineageSubgraph options that start there.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(std::vector<NodeRef> start,
//                          ResolveStart(source, flags.start));
//   view.Fetch(source, StartOptions(start, Walk::kUpstream, -1));

#ifndef MLMDX_CLI_START_NODES_H_
#define MLMDX_CLI_START_NODES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/lineage_view.h"
#include "cli/metadata_source.h"

namespace CLI {
class App;
}  // namespace CLI

namespace mlmdx::cli {

struct StartFlags {
  std::string uri;
  int64_t artifact_id = 0;
  int64_t execution_id = 0;
};

// --uri and --artifact (named `id_flag`, "--artifact" or "--id"), and
// --execution unless `executions` is false.
void AddStartFlags(CLI::App& verb, StartFlags& flags,
                   const std::string& id_flag = "--artifact",
                   bool executions = true);

// The start nodes: every artifact with the URI, or the one with the id.
//   NOT_FOUND  no such artifact or execution
//   usage      none or more than one of the flags
absl::StatusOr<std::vector<NodeRef>> ResolveStart(MetadataSource& source,
                                                  const StartFlags& flags);

// GetLineageSubgraph options from `start` (one kind), walking `walk`-wards
// for at most `hops` hops (-1: the server's default of 100).
ml_metadata::LineageSubgraphQueryOptions StartOptions(
    const std::vector<NodeRef>& start, Walk walk, int64_t hops);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_START_NODES_H_
