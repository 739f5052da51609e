// File: cli/verbs.h
// -----------------------------------------------------------------------------
//
// The verbs of the `mlmdx` program: read-only ones, and `backup`, which
// writes only its output file. Each Add*Verb adds its
// subcommand (flags, help, an example) to the program's CLI11 app and, when
// the command line chooses it, sets `action` to the work to run after
// parsing. An action returns the verb's status; cli/output.h maps it to
// the exit code.
//
// Example:
//
//   CLI::App app{"mlmdx"};
//   VerbAction action;
//   AddLookupVerb(app, action);
//   app.parse(argc, argv);
//   return ReportStatus(action());

#ifndef MLMDX_CLI_VERBS_H_
#define MLMDX_CLI_VERBS_H_

#include <functional>

#include "absl/status/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace mlmdx::cli {

using VerbAction = std::function<absl::Status()>;

// mlmdx lookup URI... | --prefix PREFIX
void AddLookupVerb(CLI::App& app, VerbAction& action);
// mlmdx get artifacts|executions|contexts|types
void AddGetVerb(CLI::App& app, VerbAction& action);
// mlmdx lineage (--uri URI | --artifact ID | --execution ID)
void AddLineageVerb(CLI::App& app, VerbAction& action);
// mlmdx audit model|dataset (--uri URI | --id ID)
void AddAuditVerb(CLI::App& app, VerbAction& action);
// mlmdx runs list|compare
void AddRunsVerb(CLI::App& app, VerbAction& action);
// mlmdx health
void AddHealthVerb(CLI::App& app, VerbAction& action);
// mlmdx version [--db FILE]
void AddVersionVerb(CLI::App& app, VerbAction& action);
// mlmdx backup --db FILE OUT
void AddBackupVerb(CLI::App& app, VerbAction& action);

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_VERBS_H_
