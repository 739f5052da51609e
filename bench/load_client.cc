// Open-loop load against the real `mlmdx serve` binary: requests leave at a
// fixed rate whatever the server does, and each one's latency counts from
// the moment it was due, not from when it was sent, so a server that stalls
// is charged for every request that queued behind the stall (no coordinated
// omission).
//
// The mix is a Kubeflow Pipelines cluster's (../shared/RELIABILITY.md §4):
//   70% reads, in equal parts: GetContextByTypeAndName of a run context,
//       GetExecutionsByContext of a run, GetArtifactsByID of two artifacts,
//       GetEventsByExecutionIDs of one execution;
//   20% PutExecution as a launcher publishes a task: a new COMPLETE
//       execution, two existing inputs passed back whole, two new outputs,
//       the pipeline and run contexts passed back whole (ten tasks a run,
//       the seeded runs in turn);
//    5% PutContexts as a driver creates a run context: half of them new
//       names, half an existing name (ALREADY_EXISTS, which KFP expects and
//       answers with a read);
//    5% GetLineageSubgraph of a model, 20 hops both ways.
// The database is seeded first, in process: the benchmarks' pipeline-shaped
// database of --seed_artifacts artifacts (bench/pipeline_db.h; 100,000
// artifacts make 50,000 executions), plus 10,000 run contexts that each hold
// five of its executions.
//
// Two phases, each optional:
//   --rates=R1,R2,...  one step of --step_seconds per rate, in order, until a
//       step misses p99 < --read_p99_ms for reads (lineage included) or
//       < --write_p99_ms for writes, or answers an unexpected status; prints
//       the highest rate held.
//   --soak_seconds=S at --soak_rate: a line per --sample_seconds with the
//       latencies and the server's resident memory, open file descriptors
//       and database connections, then their change after warm-up. The
//       writes grow the database and the lineage index, so memory is also
//       compared with a fresh server's on the final database after the same
//       warm-up (--warmup_seconds at the same rate).
// The server runs on CPU 1 and this client on CPU 0 (--pin), as do the
// PostgreSQL cluster's processes on CPU 1 with the server.
//
// Exits 1 on a broken set-up or any unexpected status (anything but OK, and
// ALREADY_EXISTS for the reused context names), so its smoke run in CTest
// fails when the server answers wrongly under load. It never judges
// latencies by exit status: the table is the result.
//
// Usage:
//   mlmdx_load --backend=sqlite|postgresql [--seed_artifacts=100000]
//              [--rates=200,400,800] [--step_seconds=60]
//              [--soak_rate=400 --soak_seconds=1800 --sample_seconds=60]

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <libpq-fe.h>
#include <sched.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/blocking_call.h"
#include "bench/pipeline_db.h"
#include "ml_metadata/proto/metadata_store_service.grpc.pb.h"
#include "store/metadata_store.h"
#include "tests/http_client.h"
#include "tests/postgres_cluster.h"
#include "tests/test_server.h"

ABSL_FLAG(std::string, backend, "sqlite", "sqlite or postgresql");
ABSL_FLAG(int64_t, seed_artifacts, 100000,
          "artifacts in the seeded pipeline database");
ABSL_FLAG(int64_t, seed_runs, 10000,
          "run contexts seeded, each holding five executions");
ABSL_FLAG(std::vector<std::string>, rates, {},
          "request rates (per second) of the step phase, in order");
ABSL_FLAG(double, step_seconds, 60, "length of each step");
ABSL_FLAG(double, read_p99_ms, 50, "p99 a step must hold for reads");
ABSL_FLAG(double, write_p99_ms, 100, "p99 a step must hold for writes");
ABSL_FLAG(double, soak_rate, 0, "request rate of the soak phase");
ABSL_FLAG(double, soak_seconds, 0, "length of the soak phase (0: none)");
ABSL_FLAG(double, sample_seconds, 60, "soak report interval");
ABSL_FLAG(double, warmup_seconds, 120,
          "soak time before the resource baseline is taken");
ABSL_FLAG(int, channels, 4, "HTTP/2 connections to the server");
ABSL_FLAG(int64_t, max_outstanding, 20000,
          "requests in flight at which a step is abandoned as overloaded");
ABSL_FLAG(bool, pin, true,
          "server (and PostgreSQL) on CPU 1, this client on CPU 0");
ABSL_FLAG(std::vector<std::string>, server_flags, {},
          "extra flags for the server, comma-separated");

namespace mlmdx::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ml_metadata::MetadataStoreService;

constexpr char kService[] = "/ml_metadata.MetadataStoreService/";

enum Kind {
  kGetContextByTypeAndName,
  kGetExecutionsByContext,
  kGetArtifactsByID,
  kGetEventsByExecutionIDs,
  kPutExecution,
  kPutContexts,
  kGetLineageSubgraph,
  kKinds
};

constexpr const char* kMethods[kKinds] = {
    "GetContextByTypeAndName", "GetExecutionsByContext", "GetArtifactsByID",
    "GetEventsByExecutionIDs", "PutExecution",           "PutContexts",
    "GetLineageSubgraph"};

bool IsWrite(Kind kind) {
  return kind == kPutExecution || kind == kPutContexts;
}

// Per mille of the mix, in Kind order.
constexpr int kMixPerMille[kKinds] = {175, 175, 175, 175, 200, 50, 50};

// What the requests are made of: ids and whole nodes read back from the
// seeded database.
struct Workload {
  int64_t artifacts = 0;
  int64_t executions = 0;
  std::vector<int64_t> models;
  std::vector<std::string> run_names;
  std::vector<int64_t> run_ids;
  int64_t execution_type_id = 0;
  int64_t output_type_id = 0;
  int64_t run_type_id = 0;
  std::vector<ml_metadata::Artifact> inputs;  // passed back whole
  ml_metadata::Context pipeline_context;      // passed back whole
};

// Adds the run contexts to the generated database, in process: `runs`
// contexts named kfp-run-<i>, the i-th holding executions 5i+1 .. 5i+5.
void SeedRuns(const std::string& db, int64_t runs, int64_t executions) {
  const std::unique_ptr<store::MetadataStore> opened = OpenGeneratorStore(db);
  store::MetadataStore& store = *opened;
  ml_metadata::GetContextTypeRequest type_request;
  type_request.set_type_name("system.PipelineRun");
  ml_metadata::GetContextTypeResponse type;
  Check(store.GetContextType(type_request, &type), "GetContextType");
  constexpr int64_t kBatch = 1000;
  for (int64_t first = 0; first < runs; first += kBatch) {
    ml_metadata::PutContextsRequest contexts;
    for (int64_t i = first; i < std::min(runs, first + kBatch); ++i) {
      ml_metadata::Context& context = *contexts.add_contexts();
      context.set_type_id(type.context_type().id());
      context.set_name(absl::StrCat("kfp-run-", i));
    }
    ml_metadata::PutContextsResponse made;
    Check(store.PutContexts(contexts, &made), "PutContexts");
    ml_metadata::PutAttributionsAndAssociationsRequest links;
    for (int i = 0; i < made.context_ids_size(); ++i) {
      for (int64_t e = 1; e <= 5; ++e) {
        const int64_t execution = (5 * (first + i) + e - 1) % executions + 1;
        ml_metadata::Association& association = *links.add_associations();
        association.set_context_id(made.context_ids(i));
        association.set_execution_id(execution);
      }
    }
    ml_metadata::PutAttributionsAndAssociationsResponse linked;
    Check(store.PutAttributionsAndAssociations(links, &linked),
          "PutAttributionsAndAssociations");
  }
}

// Reads back, through the server, what the writes pass back whole.
Workload Prepare(MetadataStoreService::Stub& stub, const Graph& graph,
                 int64_t runs) {
  Workload workload;
  workload.artifacts = graph.artifacts;
  workload.executions = graph.executions;
  for (const std::vector<int64_t>& run : graph.models) {
    workload.models.insert(workload.models.end(), run.begin(), run.end());
  }
  for (int64_t i = 0; i < runs; ++i) {
    workload.run_names.push_back(absl::StrCat("kfp-run-", i));
  }
  // The seeded runs' ids, in name order (they were made in one pass).
  ml_metadata::GetContextByTypeAndNameRequest first_run;
  first_run.set_type_name("system.PipelineRun");
  first_run.set_context_name("kfp-run-0");
  const auto first =
      CallOrDie(stub, &MetadataStoreService::Stub::GetContextByTypeAndName,
                first_run, "GetContextByTypeAndName");
  for (int64_t i = 0; i < runs; ++i) {
    workload.run_ids.push_back(first.context().id() + i);
  }
  ml_metadata::GetContextByTypeAndNameRequest last_run = first_run;
  last_run.set_context_name(absl::StrCat("kfp-run-", runs - 1));
  if (CallOrDie(stub, &MetadataStoreService::Stub::GetContextByTypeAndName,
                last_run, "GetContextByTypeAndName")
          .context()
          .id() != workload.run_ids.back()) {
    Die("the seeded runs' ids are not consecutive");
  }
  workload.run_type_id = first.context().type_id();

  ml_metadata::PutTypesRequest types;
  types.add_execution_types()->set_name("system.ContainerExecution");
  types.add_artifact_types()->set_name("system.Model");
  types.add_context_types()->set_name("system.Pipeline");
  const auto typed =
      CallOrDie(stub, &MetadataStoreService::Stub::PutTypes, types, "PutTypes");
  workload.execution_type_id = typed.execution_type_ids(0);
  workload.output_type_id = typed.artifact_type_ids(0);

  // The writes' inputs are artifacts of their own, not seeded ones: every
  // write reads two of them, so whatever they are linked to gains thousands
  // of executions, and lineage walks from the seeded models would grow
  // with the run.
  ml_metadata::PutArtifactsRequest made_inputs;
  for (int64_t i = 0; i < 64; ++i) {
    ml_metadata::Artifact& input = *made_inputs.add_artifacts();
    input.set_type_id(typed.artifact_type_ids(0));
    input.set_uri(
        absl::StrCat("minio://mlpipeline/v2/artifacts/load-input/", i));
    input.set_state(ml_metadata::Artifact::LIVE);
    (*input.mutable_custom_properties())["display_name"].set_string_value(
        "dataset");
  }
  ml_metadata::GetArtifactsByIDRequest inputs;
  *inputs.mutable_artifact_ids() =
      CallOrDie(stub, &MetadataStoreService::Stub::PutArtifacts, made_inputs,
                "PutArtifacts")
          .artifact_ids();
  const auto read =
      CallOrDie(stub, &MetadataStoreService::Stub::GetArtifactsByID, inputs,
                "GetArtifactsByID");
  workload.inputs.assign(read.artifacts().begin(), read.artifacts().end());
  if (workload.inputs.size() < 2) Die("too few input artifacts");

  ml_metadata::PutContextsRequest pipeline;
  ml_metadata::Context& made = *pipeline.add_contexts();
  made.set_type_id(typed.context_type_ids(0));
  made.set_name("kfp-load-pipeline");
  CallOrDie(stub, &MetadataStoreService::Stub::PutContexts, pipeline,
            "PutContexts");
  ml_metadata::GetContextByTypeAndNameRequest pipeline_by_name;
  pipeline_by_name.set_type_name("system.Pipeline");
  pipeline_by_name.set_context_name("kfp-load-pipeline");
  workload.pipeline_context =
      CallOrDie(stub, &MetadataStoreService::Stub::GetContextByTypeAndName,
                pipeline_by_name, "GetContextByTypeAndName")
          .context();
  return workload;
}

// Makes each request of the mix, serialized. Used by one thread.
class RequestMaker {
 public:
  RequestMaker(const Workload& workload, uint64_t seed)
      : workload_(workload), random_(seed) {}

  Kind NextKind() {
    int draw = static_cast<int>(random_() % 1000);
    for (int kind = 0; kind < kKinds; ++kind) {
      draw -= kMixPerMille[kind];
      if (draw < 0) return static_cast<Kind>(kind);
    }
    return kGetArtifactsByID;
  }

  std::string Make(Kind kind) {
    switch (kind) {
      case kGetContextByTypeAndName: {
        ml_metadata::GetContextByTypeAndNameRequest request;
        request.set_type_name("system.PipelineRun");
        request.set_context_name(Pick(workload_.run_names));
        return request.SerializeAsString();
      }
      case kGetExecutionsByContext: {
        ml_metadata::GetExecutionsByContextRequest request;
        request.set_context_id(Pick(workload_.run_ids));
        return request.SerializeAsString();
      }
      case kGetArtifactsByID: {
        ml_metadata::GetArtifactsByIDRequest request;
        request.add_artifact_ids(1 + random_() % workload_.artifacts);
        request.add_artifact_ids(1 + random_() % workload_.artifacts);
        return request.SerializeAsString();
      }
      case kGetEventsByExecutionIDs: {
        ml_metadata::GetEventsByExecutionIDsRequest request;
        request.add_execution_ids(1 + random_() % workload_.executions);
        return request.SerializeAsString();
      }
      case kPutExecution:
        return MakePutExecution();
      case kPutContexts: {
        ml_metadata::PutContextsRequest request;
        ml_metadata::Context& context = *request.add_contexts();
        context.set_type_id(workload_.run_type_id);
        // Even draws reuse a seeded name: ALREADY_EXISTS.
        context.set_name(
            random_() % 2 == 0
                ? Pick(workload_.run_names)
                : absl::StrCat("kfp-load-run-", seed_tag_, "-", ++new_runs_));
        return request.SerializeAsString();
      }
      case kGetLineageSubgraph: {
        ml_metadata::GetLineageSubgraphRequest request;
        auto& options = *request.mutable_lineage_subgraph_query_options();
        options.mutable_starting_artifacts()->set_filter_query(
            absl::StrCat("id = ", Pick(workload_.models)));
        options.set_max_num_hops(20);
        options.set_direction(
            ml_metadata::LineageSubgraphQueryOptions::BIDIRECTIONAL);
        return request.SerializeAsString();
      }
      case kKinds:
        break;
    }
    return "";
  }

  // Distinguishes this maker's new names from other makers', and starts
  // its writes at another run.
  void set_seed_tag(int64_t tag) {
    seed_tag_ = tag;
    run_offset_ = static_cast<size_t>(tag) * 997;
  }

 private:
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[random_() % from.size()];
  }

  std::string MakePutExecution() {
    ml_metadata::PutExecutionRequest request;
    ml_metadata::Execution& execution = *request.mutable_execution();
    execution.set_type_id(workload_.execution_type_id);
    execution.set_last_known_state(ml_metadata::Execution::COMPLETE);
    (*execution.mutable_custom_properties())["task_name"].set_string_value(
        "train");
    (*execution.mutable_custom_properties())["image"].set_string_value(
        "python:3.9");
    const size_t first_input = random_() % (workload_.inputs.size() - 1);
    for (size_t i = 0; i < 2; ++i) {
      auto& pair = *request.add_artifact_event_pairs();
      *pair.mutable_artifact() = workload_.inputs[first_input + i];
      pair.mutable_event()->set_type(ml_metadata::Event::INPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key(
          absl::StrCat("input", i));
    }
    const int64_t n = ++outputs_;
    for (int i = 0; i < 2; ++i) {
      auto& pair = *request.add_artifact_event_pairs();
      ml_metadata::Artifact& output = *pair.mutable_artifact();
      output.set_type_id(workload_.output_type_id);
      output.set_uri(absl::StrCat("minio://mlpipeline/v2/artifacts/load/",
                                  seed_tag_, "/", n, "/out", i));
      output.set_state(ml_metadata::Artifact::LIVE);
      (*output.mutable_custom_properties())["display_name"].set_string_value(
          "model");
      pair.mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key(
          absl::StrCat("output", i));
    }
    *request.add_contexts() = workload_.pipeline_context;
    // Ten tasks a run, the runs in turn, as runs follow each other: a run
    // context holds its five seeded executions and a few tens written,
    // however long the load runs.
    const size_t run = (run_offset_ + n / 10) % workload_.run_ids.size();
    ml_metadata::Context& context = *request.add_contexts();
    context.set_id(workload_.run_ids[run]);
    context.set_type_id(workload_.run_type_id);
    context.set_name(workload_.run_names[run]);
    return request.SerializeAsString();
  }

  const Workload& workload_;
  std::mt19937_64 random_;
  int64_t seed_tag_ = 0;
  size_t run_offset_ = 0;
  int64_t outputs_ = 0;
  int64_t new_runs_ = 0;
};

// One request in flight: the completion queue's tag.
struct InFlight {
  Kind kind;
  Clock::time_point due;
  grpc::ClientContext context;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
};

// Latencies (microseconds from due to answer) and statuses of one period.
struct Tally {
  std::vector<double> micros[kKinds];
  std::map<std::string, int64_t> statuses;  // "Method CODE" -> count
  int64_t unexpected = 0;
  int64_t answered = 0;

  void Merge(Tally&& other) {
    for (int kind = 0; kind < kKinds; ++kind) {
      micros[kind].insert(micros[kind].end(), other.micros[kind].begin(),
                          other.micros[kind].end());
    }
    for (const auto& [key, count] : other.statuses) statuses[key] += count;
    unexpected += other.unexpected;
    answered += other.answered;
  }
};

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  const size_t at =
      std::min(values.size() - 1, static_cast<size_t>(q * values.size()));
  std::nth_element(values.begin(), values.begin() + at, values.end());
  return values[at];
}

std::vector<double> Pooled(const Tally& tally, bool writes) {
  std::vector<double> pooled;
  for (int kind = 0; kind < kKinds; ++kind) {
    if (IsWrite(static_cast<Kind>(kind)) != writes) continue;
    pooled.insert(pooled.end(), tally.micros[kind].begin(),
                  tally.micros[kind].end());
  }
  return pooled;
}

// Sends at a fixed rate from one thread and collects answers on another.
class OpenLoop {
 public:
  OpenLoop(const std::string& address, const Workload& workload, int channels)
      : workload_(workload) {
    for (int i = 0; i < channels; ++i) {
      grpc::ChannelArguments arguments;
      // Separate connections, not one shared subchannel.
      arguments.SetInt("mlmdx.load.channel", i);
      stubs_.push_back(
          std::make_unique<grpc::GenericStub>(grpc::CreateCustomChannel(
              address, grpc::InsecureChannelCredentials(), arguments)));
    }
    collector_ = std::thread([this] { Collect(); });
  }

  ~OpenLoop() {
    queue_.Shutdown();
    collector_.join();
  }

  // Sends `rate` requests a second for `seconds`, then waits for the
  // answers. Returns false when more than `max_outstanding` were in flight
  // at once (the server fell behind for good).
  bool Run(double rate, double seconds, int64_t max_outstanding,
           uint64_t seed) {
    RequestMaker maker(workload_, seed);
    maker.set_seed_tag(static_cast<int64_t>(seed));
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    const int64_t total = static_cast<int64_t>(rate * seconds);
    const Clock::time_point start = Clock::now();
    bool held = true;
    for (int64_t i = 0; i < total; ++i) {
      const Clock::time_point due = start + i * interval;
      // Requests that are late leave at once, still timed from `due`.
      std::this_thread::sleep_until(due);
      if (outstanding_.load() > max_outstanding) {
        held = false;
        break;
      }
      const Kind kind = maker.NextKind();
      const std::string body = maker.Make(kind);
      auto* call = new InFlight;
      call->kind = kind;
      call->due = due;
      call->context.set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::seconds(30));
      grpc::Slice slice(body);
      grpc::ByteBuffer request(&slice, 1);
      outstanding_.fetch_add(1);
      call->reader = stubs_[i % stubs_.size()]->PrepareUnaryCall(
          &call->context, absl::StrCat(kService, kMethods[kind]), request,
          &queue_);
      call->reader->StartCall();
      call->reader->Finish(&call->response, &call->status, call);
    }
    while (outstanding_.load() > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return held;
  }

  // What was answered since the last call.
  Tally TakeTally() {
    std::lock_guard<std::mutex> lock(mutex_);
    Tally taken = std::move(tally_);
    tally_ = Tally();
    return taken;
  }

  int64_t outstanding() const { return outstanding_.load(); }

 private:
  void Collect() {
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
      std::unique_ptr<InFlight> call(static_cast<InFlight*>(tag));
      const double micros =
          std::chrono::duration<double, std::micro>(Clock::now() - call->due)
              .count();
      const grpc::StatusCode code = call->status.error_code();
      const bool expected = code == grpc::StatusCode::OK ||
                            (call->kind == kPutContexts &&
                             code == grpc::StatusCode::ALREADY_EXISTS);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        tally_.micros[call->kind].push_back(micros);
        ++tally_.statuses[absl::StrCat(kMethods[call->kind], " ", code)];
        ++tally_.answered;
        if (!expected) {
          ++tally_.unexpected;
          if (tally_.unexpected <= 5) {
            std::fprintf(stderr, "unexpected: %s %d %s\n", kMethods[call->kind],
                         code, call->status.error_message().c_str());
          }
        }
      }
      outstanding_.fetch_sub(1);
    }
  }

  const Workload& workload_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  grpc::CompletionQueue queue_;
  std::thread collector_;
  std::atomic<int64_t> outstanding_{0};
  std::mutex mutex_;
  Tally tally_;
};

// The server's resources, read from /proc and the database.
struct Resources {
  int64_t rss_kib = 0;
  // The lineage index's own count of its bytes (from /metrics): the part of
  // the server's memory that grows with the data by design.
  int64_t index_kib = 0;
  int64_t fds = 0;
  int64_t db_connections = 0;
};

int64_t StatusField(pid_t pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      int64_t value = 0;
      std::vector<std::string> parts =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &value)) {
        return value;
      }
    }
  }
  return -1;
}

Resources Measure(const testing::TestServer& server,
                  const std::string& postgres_conninfo,
                  const std::string& postgres_database) {
  Resources resources;
  resources.rss_kib = StatusField(server.pid(), "VmRSS");
  const testing::HttpAnswer metrics =
      testing::HttpGet(testing::LoggedMetricsPort(server.Log()), "/metrics");
  const std::optional<double> index_bytes =
      testing::PrometheusValue(metrics.body, "mlmdx_lineage_index_bytes");
  if (index_bytes.has_value()) {
    resources.index_kib = static_cast<int64_t>(*index_bytes / 1024);
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(
           absl::StrCat("/proc/", server.pid(), "/fd"), error)) {
    ++resources.fds;
    if (postgres_conninfo.empty()) {
      // SQLite: open handles on the database file itself.
      const auto target = std::filesystem::read_symlink(entry.path(), error);
      if (!error && target.string() == server.db_path()) {
        ++resources.db_connections;
      }
    }
  }
  if (!postgres_conninfo.empty()) {
    PGconn* connection = PQconnectdb(postgres_conninfo.c_str());
    if (PQstatus(connection) == CONNECTION_OK) {
      const std::string sql = absl::StrCat(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = '",
          postgres_database, "'");
      PGresult* result = PQexec(connection, sql.c_str());
      if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
        (void)absl::SimpleAtoi(PQgetvalue(result, 0, 0),
                               &resources.db_connections);
      }
      PQclear(result);
    }
    PQfinish(connection);
  }
  return resources;
}

void PrintTallyLine(const std::string& label, const Tally& tally,
                    double seconds, const Resources* resources) {
  const std::vector<double> reads = Pooled(tally, false);
  const std::vector<double> writes = Pooled(tally, true);
  std::printf(
      "%-14s %8.1f/s  reads p50 %6.2f p99 %7.2f p999 %7.2f ms  writes p50 "
      "%6.2f p99 %7.2f p999 %7.2f ms  lineage p99 %7.2f ms  unexpected %lld",
      label.c_str(), tally.answered / seconds, Percentile(reads, 0.5) / 1000,
      Percentile(reads, 0.99) / 1000, Percentile(reads, 0.999) / 1000,
      Percentile(writes, 0.5) / 1000, Percentile(writes, 0.99) / 1000,
      Percentile(writes, 0.999) / 1000,
      Percentile(tally.micros[kGetLineageSubgraph], 0.99) / 1000,
      static_cast<long long>(tally.unexpected));
  if (resources != nullptr) {
    std::printf("  rss %lld KiB index %lld KiB fds %lld db %lld",
                static_cast<long long>(resources->rss_kib),
                static_cast<long long>(resources->index_kib),
                static_cast<long long>(resources->fds),
                static_cast<long long>(resources->db_connections));
  }
  std::printf("\n");
  std::fflush(stdout);
}

// The postmaster's process id, from the first line of its pid file.
pid_t PostmasterPid(const testing::PostgresCluster& cluster) {
  std::ifstream file(cluster.dir() + "/data/postmaster.pid");
  std::string line;
  int pid = -1;
  if (!std::getline(file, line) || !absl::SimpleAtoi(line, &pid)) {
    Die("cannot read postmaster.pid");
  }
  return pid;
}

void Pin(pid_t pid, int cpu) {
  // Every thread of the process (taskset -a), so the pool's threads follow.
  const std::string command =
      absl::StrCat("taskset -a -c -p ", cpu, " ", pid, " > /dev/null");
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "warning: could not pin %d to CPU %d\n", pid, cpu);
  }
}

int Main() {
  const std::string backend = absl::GetFlag(FLAGS_backend);
  if (backend != "sqlite" && backend != "postgresql") {
    Die(absl::StrCat("--backend: expected sqlite or postgresql, got ",
                     backend));
  }
  const bool pin =
      absl::GetFlag(FLAGS_pin) && std::thread::hardware_concurrency() >= 2;
  std::unique_ptr<testing::PostgresCluster> cluster;
  std::string db, postgres_conninfo, postgres_database;
  char dir_template[] = "/tmp/mlmdx_load_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  if (backend == "postgresql") {
    testing::PostgresClusterOptions options;
    options.durable = true;
    cluster = std::make_unique<testing::PostgresCluster>(options);
    Check(cluster->Start(), "start PostgreSQL");
    postgres_database = "mlmdx_load";
    db = absl::StrCat(cluster->UriBase(), "/", postgres_database);
    postgres_conninfo = cluster->ConnInfo("postgres");
  } else {
    db = dir + "/load.sqlite";
  }

  const int64_t runs = absl::GetFlag(FLAGS_seed_runs);
  const auto seed_start = Clock::now();
  const Graph graph =
      GeneratePipelineDatabase(db, absl::GetFlag(FLAGS_seed_artifacts));
  SeedRuns(db, runs, graph.executions);
  std::printf(
      "%s: seeded %lld artifacts, %lld executions, %lld runs in %.1f s\n",
      backend.c_str(), static_cast<long long>(graph.artifacts),
      static_cast<long long>(graph.executions), static_cast<long long>(runs),
      std::chrono::duration<double>(Clock::now() - seed_start).count());

  testing::TestServer server(db);
  // After a long soak the fresh server's index build alone takes a minute.
  server.set_start_timeout(std::chrono::minutes(15));
  // /metrics tells the index's share of the memory apart from the rest.
  std::vector<std::string> server_flags = absl::GetFlag(FLAGS_server_flags);
  server_flags.push_back("--metrics_port=0");
  Check(server.Start(server_flags), "start server");
  if (pin) {
    Pin(server.pid(), 1);
    if (cluster != nullptr) {
      // The postmaster and every backend it has forked.
      const pid_t postmaster = PostmasterPid(*cluster);
      Pin(postmaster, 1);
      (void)std::system(absl::StrCat("for p in $(pgrep -P ", postmaster,
                                     "); do taskset -a -c -p 1 $p; done "
                                     "> /dev/null")
                            .c_str());
    }
    Pin(getpid(), 0);
  }
  auto stub = server.NewStub();
  const Workload workload = Prepare(*stub, graph, runs);
  OpenLoop loop(server.address(), workload, absl::GetFlag(FLAGS_channels));
  int64_t unexpected = 0;
  uint64_t seed = 1;

  // Warm the server's caches and connections before the first step.
  loop.Run(50, 2, absl::GetFlag(FLAGS_max_outstanding), seed++);
  unexpected += loop.TakeTally().unexpected;

  double held_rate = 0;
  const double step_seconds = absl::GetFlag(FLAGS_step_seconds);
  for (const std::string& text : absl::GetFlag(FLAGS_rates)) {
    double rate = 0;
    if (!absl::SimpleAtod(text, &rate) || rate <= 0) {
      Die(absl::StrCat("--rates: not a positive number: ", text));
    }
    const bool kept_up = loop.Run(rate, step_seconds,
                                  absl::GetFlag(FLAGS_max_outstanding), seed++);
    const Tally tally = loop.TakeTally();
    unexpected += tally.unexpected;
    const Resources resources =
        Measure(server, postgres_conninfo, postgres_database);
    PrintTallyLine(absl::StrCat("rate ", text), tally, step_seconds,
                   &resources);
    const bool held = kept_up && tally.unexpected == 0 &&
                      Percentile(Pooled(tally, false), 0.99) <
                          absl::GetFlag(FLAGS_read_p99_ms) * 1000 &&
                      Percentile(Pooled(tally, true), 0.99) <
                          absl::GetFlag(FLAGS_write_p99_ms) * 1000;
    if (!held) {
      std::printf("rate %s not held%s\n", text.c_str(),
                  kept_up ? "" : " (server fell behind)");
      break;
    }
    held_rate = rate;
  }
  if (!absl::GetFlag(FLAGS_rates).empty()) {
    std::printf("%s: highest rate held for %.0f s: %.0f/s\n", backend.c_str(),
                step_seconds, held_rate);
  }

  const double soak_seconds = absl::GetFlag(FLAGS_soak_seconds);
  if (soak_seconds > 0) {
    const double rate = absl::GetFlag(FLAGS_soak_rate);
    if (rate <= 0) Die("--soak_rate: must be positive with --soak_seconds");
    const double sample = absl::GetFlag(FLAGS_sample_seconds);
    const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
    std::optional<Resources> baseline;
    Resources last;
    int64_t max_rss = 0, max_fds = 0, max_connections = 0;
    for (double elapsed = 0; elapsed + sample <= soak_seconds + 1e-9;
         elapsed += sample) {
      const bool kept_up =
          loop.Run(rate, sample, absl::GetFlag(FLAGS_max_outstanding), seed++);
      const Tally tally = loop.TakeTally();
      unexpected += tally.unexpected;
      last = Measure(server, postgres_conninfo, postgres_database);
      PrintTallyLine(absl::StrCat("soak ", elapsed + sample, "s"), tally,
                     sample, &last);
      if (!kept_up) Die("soak: the server fell behind");
      if (!baseline.has_value() && elapsed + sample >= warmup) {
        baseline = last;
      } else if (baseline.has_value()) {
        max_rss = std::max(max_rss, last.rss_kib);
        max_fds = std::max(max_fds, last.fds);
        max_connections = std::max(max_connections, last.db_connections);
      }
    }
    // The database (and so the lineage index) grows with every write, so
    // the soaked server's memory is judged against a fresh server's on the
    // same database after the same warm-up: a leak is the difference.
    int64_t fresh_rss = 0, fresh_index = 0;
    {
      Check(server.Stop() == 0 ? absl::OkStatus()
                               : absl::InternalError("exit status"),
            "stop the soaked server");
      Check(server.Start(server_flags), "start a fresh server");
      if (pin) Pin(server.pid(), 1);
      OpenLoop fresh(server.address(), workload, absl::GetFlag(FLAGS_channels));
      for (double elapsed = 0; elapsed + sample <= warmup + 1e-9;
           elapsed += sample) {
        fresh.Run(rate, sample, absl::GetFlag(FLAGS_max_outstanding), seed++);
        const Tally tally = fresh.TakeTally();
        unexpected += tally.unexpected;
        const Resources now =
            Measure(server, postgres_conninfo, postgres_database);
        PrintTallyLine(absl::StrCat("fresh ", elapsed + sample, "s"), tally,
                       sample, &now);
        fresh_rss = now.rss_kib;
        fresh_index = now.index_kib;
      }
    }
    if (baseline.has_value()) {
      std::printf(
          "soak at %.0f/s: rss at the end %lld KiB, a fresh server on the "
          "same database after the same warm-up %lld KiB (%+.1f%%)\n",
          rate, static_cast<long long>(last.rss_kib),
          static_cast<long long>(fresh_rss),
          fresh_rss > 0 ? 100.0 * (last.rss_kib - fresh_rss) / fresh_rss : 0);
      std::printf(
          "soak at %.0f/s: after warm-up rss %lld -> %lld KiB (max %lld, "
          "%+.1f%%), fds %lld -> %lld (max %lld), db connections %lld -> "
          "%lld (max %lld)\n",
          rate, static_cast<long long>(baseline->rss_kib),
          static_cast<long long>(last.rss_kib), static_cast<long long>(max_rss),
          100.0 * (last.rss_kib - baseline->rss_kib) / baseline->rss_kib,
          static_cast<long long>(baseline->fds),
          static_cast<long long>(last.fds), static_cast<long long>(max_fds),
          static_cast<long long>(baseline->db_connections),
          static_cast<long long>(last.db_connections),
          static_cast<long long>(max_connections));
      // The index grows with every write by design; what else the server
      // holds is what must stay flat.
      const int64_t rest_before = baseline->rss_kib - baseline->index_kib;
      const int64_t rest_after = last.rss_kib - last.index_kib;
      std::printf(
          "soak at %.0f/s: rss less the lineage index after warm-up %lld -> "
          "%lld KiB (%+.1f%%), index %lld -> %lld KiB; fresh server: rss "
          "less index %lld KiB, index %lld KiB\n",
          rate, static_cast<long long>(rest_before),
          static_cast<long long>(rest_after),
          rest_before > 0 ? 100.0 * (rest_after - rest_before) / rest_before
                          : 0,
          static_cast<long long>(baseline->index_kib),
          static_cast<long long>(last.index_kib),
          static_cast<long long>(fresh_rss - fresh_index),
          static_cast<long long>(fresh_index));
    }
  }
  const int exit_code = server.Stop();
  std::printf("server exit status %d, unexpected statuses %lld\n", exit_code,
              static_cast<long long>(unexpected));
  (void)std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  return unexpected == 0 && exit_code == 0 ? 0 : 1;
}

}  // namespace
}  // namespace mlmdx::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mlmdx::bench::Main();
}
