// GetLineageSubgraph through the real server against the SQL-per-hop
// baseline (tests/sql_lineage_baseline.h, spec/lineage.md §2.4) on random
// pipeline-shaped graphs written through the server's own RPCs.
//
// Each graph is a few hundred "runs" (a context each, plus one of a few
// shared pipeline contexts) of 1-6 PutExecution steps shaped as a chain,
// fan-out, fan-in, diamond or a random mix; runs consume artifacts of
// earlier runs, and event types cover all seven input/output kinds. Queries
// draw starting and ending filters (ids, id ranges beyond the 101 cap, uri
// patterns, context names, the empty ending filter), hops 0-10, unset or
// above the cap, and all four directions, and compare artifact ids,
// execution ids and the events in order with the baseline run on the same
// database file. Also: answers survive a restart, and equal the baseline
// after concurrent writers.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/sql_lineage_baseline.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ml_metadata::Artifact;
using ml_metadata::Event;
using ml_metadata::LineageSubgraphQueryOptions;
using Stub = ml_metadata::MetadataStoreService::Stub;

// Queries compared over the whole file (printed by the last test).
std::atomic<int> g_compared{0};

// Durability is not under test; this makes a PutExecution ~4x cheaper.
const std::vector<std::string> kServerFlags = {"--sqlite_synchronous=NORMAL"};

struct TypeIds {
  int64_t artifact = 0;
  int64_t execution = 0;
  int64_t context = 0;
};

TypeIds PutTypes(Stub& stub) {
  auto request = ParseTextProto<ml_metadata::PutTypesRequest>(
      "artifact_types { name: 'Dataset' } execution_types { name: 'Step' } "
      "context_types { name: 'Run' }");
  ml_metadata::PutTypesResponse response;
  EXPECT_THAT(MLMDX_CALL(stub, PutTypes, request, response), IsOk());
  return {response.artifact_type_ids(0), response.execution_type_ids(0),
          response.context_type_ids(0)};
}

// What queries are drawn from: names and uri prefixes that exist.
struct Catalog {
  std::vector<std::string> context_names;
  std::vector<std::string> uri_prefixes;  // "uri://<run>/"
  std::vector<std::string> uris;
};

// Writes pipeline runs through PutExecution. Artifacts of earlier runs (its
// own, or `pool` given at construction) feed later runs.
class PipelineWriter {
 public:
  PipelineWriter(Stub* stub, TypeIds types, uint64_t seed, std::string prefix,
                 std::vector<Artifact> pool = {})
      : stub_(stub),
        types_(types),
        rng_(seed),
        prefix_(std::move(prefix)),
        pool_(std::move(pool)) {
    for (int p = 0; p < 4; ++p) {
      pipelines_.push_back(NewContext(absl::StrCat("pipeline-", prefix_, p)));
    }
  }

  void WriteRuns(int runs) {
    for (int r = 0; r < runs && !::testing::Test::HasFailure(); ++r) {
      WriteRun(r);
    }
  }

  const std::vector<Artifact>& pool() const { return pool_; }
  const Catalog& catalog() const { return catalog_; }

 private:
  int Rand(int n) { return static_cast<int>(rng_() % n); }
  bool Chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }

  ml_metadata::Context NewContext(const std::string& name) {
    ml_metadata::PutContextsRequest request;
    auto* context = request.add_contexts();
    context->set_type_id(types_.context);
    context->set_name(name);
    ml_metadata::PutContextsResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutContexts, request, response), IsOk());
    if (response.context_ids_size() == 1) {
      context->set_id(response.context_ids(0));
    }
    catalog_.context_names.push_back(name);
    return *context;
  }

  // An artifact of an earlier run: mostly a recent one (long chains of
  // runs), sometimes any (long-range links).
  const Artifact* FromPool() {
    if (pool_.empty()) return nullptr;
    const int n = static_cast<int>(pool_.size());
    return Chance(0.7) ? &pool_[n - 1 - Rand(std::min(n, 40))]
                       : &pool_[Rand(n)];
  }

  Event::Type InputType() {
    static constexpr Event::Type kTypes[] = {
        Event::INPUT, Event::INPUT, Event::INPUT, Event::DECLARED_INPUT,
        Event::INTERNAL_INPUT};
    return kTypes[Rand(5)];
  }
  Event::Type OutputType() {
    static constexpr Event::Type kTypes[] = {
        Event::OUTPUT,          Event::OUTPUT,          Event::OUTPUT,
        Event::DECLARED_OUTPUT, Event::INTERNAL_OUTPUT, Event::PENDING_OUTPUT};
    return kTypes[Rand(6)];
  }

  // One PutExecution; returns the new output artifacts.
  std::vector<Artifact> Step(const std::vector<const Artifact*>& inputs,
                             int outputs, const ml_metadata::Context& run,
                             int step) {
    ml_metadata::PutExecutionRequest request;
    request.mutable_execution()->set_type_id(types_.execution);
    request.mutable_execution()->set_last_known_state(
        ml_metadata::Execution::COMPLETE);
    std::set<int64_t> seen;
    for (const Artifact* input : inputs) {
      if (input == nullptr || !seen.insert(input->id()).second) continue;
      auto* pair = request.add_artifact_event_pairs();
      *pair->mutable_artifact() = *input;
      pair->mutable_event()->set_type(InputType());
    }
    // Now and then an existing artifact is (re)produced: several producers.
    if (Chance(0.05)) {
      const Artifact* again = FromPool();
      if (again != nullptr && seen.insert(again->id()).second) {
        auto* pair = request.add_artifact_event_pairs();
        *pair->mutable_artifact() = *again;
        pair->mutable_event()->set_type(OutputType());
      }
    }
    const int first_new = request.artifact_event_pairs_size();
    const std::string prefix = absl::StrCat("uri://", run.name(), "/");
    for (int k = 0; k < outputs; ++k) {
      auto* pair = request.add_artifact_event_pairs();
      pair->mutable_artifact()->set_type_id(types_.artifact);
      pair->mutable_artifact()->set_uri(
          absl::StrCat(prefix, "s", step, "/o", k));
      pair->mutable_event()->set_type(OutputType());
    }
    *request.add_contexts() = run;
    *request.add_contexts() = pipelines_[Rand(pipelines_.size())];
    ml_metadata::PutExecutionResponse response;
    EXPECT_THAT(MLMDX_CALL(*stub_, PutExecution, request, response), IsOk());
    std::vector<Artifact> made;
    for (int i = first_new; i < response.artifact_ids_size(); ++i) {
      Artifact artifact = request.artifact_event_pairs(i).artifact();
      artifact.set_id(response.artifact_ids(i));
      catalog_.uris.push_back(artifact.uri());
      made.push_back(artifact);
    }
    return made;
  }

  void WriteRun(int r) {
    const ml_metadata::Context run = NewContext(absl::StrCat(prefix_, "r", r));
    catalog_.uri_prefixes.push_back(absl::StrCat("uri://", run.name(), "/"));
    std::vector<Artifact> outputs;
    const auto keep = [&](std::vector<Artifact> made) {
      outputs.insert(outputs.end(), made.begin(), made.end());
      return made;
    };
    const auto any_of = [&](const std::vector<Artifact>& v) -> const Artifact* {
      return v.empty() ? nullptr : &v[Rand(v.size())];
    };
    // The run's source: an artifact of an earlier run, or a fresh ingest.
    std::vector<Artifact> source;
    if (const Artifact* old = FromPool(); old != nullptr && Chance(0.7)) {
      source.push_back(*old);
    } else {
      source = keep(Step({}, 1 + Rand(2), run, 0));
    }
    const Artifact* seed = any_of(source);
    const int steps = 1 + Rand(6);
    switch (Rand(5)) {
      case 0: {  // chain
        std::vector<Artifact> last = source;
        for (int s = 1; s <= steps; ++s) {
          last = keep(Step({any_of(last)}, 1 + Rand(2), run, s));
        }
        break;
      }
      case 1:  // fan-out
        for (int s = 1; s <= steps; ++s) keep(Step({seed}, 1, run, s));
        break;
      case 2: {  // fan-in
        std::vector<const Artifact*> all;
        std::vector<Artifact> parts;
        for (int s = 1; s < steps; ++s) {
          auto made = keep(Step({Chance(0.5) ? seed : FromPool()}, 1, run, s));
          parts.insert(parts.end(), made.begin(), made.end());
        }
        for (const Artifact& a : parts) all.push_back(&a);
        all.push_back(seed);
        keep(Step(all, 1, run, steps));
        break;
      }
      case 3: {  // diamond, then a chain
        auto b = keep(Step({seed}, 1, run, 1));
        auto c = keep(Step({seed}, 1, run, 2));
        auto last = keep(Step({any_of(b), any_of(c)}, 1, run, 3));
        for (int s = 4; s <= steps + 2; ++s) {
          last = keep(Step({any_of(last)}, 1, run, s));
        }
        break;
      }
      default:  // random mix of this run's and earlier artifacts
        for (int s = 1; s <= steps; ++s) {
          std::vector<const Artifact*> inputs;
          for (int i = Rand(4); i > 0; --i) {
            inputs.push_back(Chance(0.6) ? any_of(outputs) : FromPool());
          }
          // Copy: `outputs` may reallocate in keep().
          std::vector<Artifact> copies;
          for (const Artifact* a : inputs) {
            if (a != nullptr) copies.push_back(*a);
          }
          std::vector<const Artifact*> stable;
          for (const Artifact& a : copies) stable.push_back(&a);
          keep(Step(stable, Rand(4), run, s));
        }
    }
    pool_.insert(pool_.end(), outputs.begin(), outputs.end());
  }

  Stub* stub_;
  TypeIds types_;
  std::mt19937_64 rng_;
  std::string prefix_;
  std::vector<Artifact> pool_;
  std::vector<ml_metadata::Context> pipelines_;
  Catalog catalog_;
};

// A request and the baseline's equivalent.
struct Query {
  ml_metadata::GetLineageSubgraphRequest request;
  BaselineQuery baseline;
};

// A filter_query and the SQL listing the ids it matches.
struct Filter {
  std::string mlmd;
  std::string sql;
};

class QueryMaker {
 public:
  QueryMaker(uint64_t seed, const Catalog& catalog, SqlLineageBaseline& db)
      : rng_(seed), catalog_(catalog), db_(db) {
    for (int k = 0; k < 2; ++k) {
      auto max = db_.SelectIds(absl::StrCat("SELECT MAX(id) FROM ", Table(k)));
      max_id_[k] = max.ok() && !max->empty() ? (*max)[0] : 1;
    }
  }

  Query Make() {
    Query q;
    auto& options = *q.request.mutable_lineage_subgraph_query_options();
    for (const char* path : {"artifacts", "executions", "events"}) {
      q.request.mutable_read_mask()->add_paths(path);
    }
    const int s = Rand(2);
    q.baseline.start_kind = static_cast<BaselineKind>(s);
    const Filter start = StartFilter(s);
    (s == 0 ? options.mutable_starting_artifacts()
            : options.mutable_starting_executions())
        ->set_filter_query(start.mlmd);
    q.baseline.start_ids = Ids(start.sql + " ORDER BY 1 LIMIT 101");

    const int hops_kind = Rand(10);
    if (hops_kind == 0) {
      q.baseline.max_num_hops = 100;  // unset
    } else if (hops_kind == 1) {
      options.set_max_num_hops(100 + Rand(100));
      q.baseline.max_num_hops = 100;
    } else {
      options.set_max_num_hops(Rand(11));
      q.baseline.max_num_hops = options.max_num_hops();
    }
    const int direction = Rand(4);
    options.set_direction(
        static_cast<LineageSubgraphQueryOptions::Direction>(direction));
    q.baseline.direction =
        direction == LineageSubgraphQueryOptions::UPSTREAM
            ? BaselineDirection::kUpstream
        : direction == LineageSubgraphQueryOptions::DOWNSTREAM
            ? BaselineDirection::kDownstream
            : BaselineDirection::kBidirectional;

    for (int k = 0; k < 2; ++k) {
      const int choice = Rand(10);
      if (choice < 6) continue;  // no ending nodes of this kind
      auto* ending = k == 0 ? options.mutable_ending_artifacts()
                            : options.mutable_ending_executions();
      const bool include = Rand(2) == 0;
      ending->set_include_ending_nodes(include);
      q.baseline.include_ending[k] = include;
      if (choice == 6) continue;  // message without filter_query: inactive
      const Filter filter = EndingFilter(k);
      ending->set_filter_query(filter.mlmd);
      const std::vector<int64_t> ids = Ids(filter.sql);
      q.baseline.ending[k].emplace(ids.begin(), ids.end());
    }
    return q;
  }

 private:
  static const char* Table(int k) { return k == 0 ? "Artifact" : "Execution"; }
  int Rand(int n) { return static_cast<int>(rng_() % n); }
  int64_t RandomId(int k) { return 1 + rng_() % (max_id_[k] + 3); }

  std::vector<int64_t> Ids(const std::string& sql) {
    auto ids = db_.SelectIds(sql);
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *ids : std::vector<int64_t>{};
  }

  Filter IdIn(int k, int n) {
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back(RandomId(k));
    const std::string list = absl::StrJoin(ids, ", ");
    return {
        absl::StrCat("id IN (", list, ")"),
        absl::StrCat("SELECT id FROM ", Table(k), " WHERE id IN (", list, ")")};
  }

  Filter InContext(int k) {
    const std::string& name =
        catalog_.context_names[Rand(catalog_.context_names.size())];
    const char* link = k == 0 ? "Attribution" : "Association";
    const char* column = k == 0 ? "artifact_id" : "execution_id";
    return {absl::StrCat("contexts_0.name = '", name, "'"),
            absl::StrCat("SELECT l.", column, " FROM ", link,
                         " l JOIN Context c ON c.id = l.context_id WHERE "
                         "c.name = '",
                         name, "'")};
  }

  Filter UriLike() {
    const std::string& prefix =
        catalog_.uri_prefixes[Rand(catalog_.uri_prefixes.size())];
    return {
        absl::StrCat("uri LIKE '", prefix, "%'"),
        absl::StrCat("SELECT id FROM Artifact WHERE uri LIKE '", prefix, "%'")};
  }

  Filter StartFilter(int k) {
    switch (Rand(k == 0 ? 7 : 5)) {
      case 0:
      case 1: {
        const int64_t id = RandomId(k);
        return {absl::StrCat("id = ", id),
                absl::StrCat("SELECT id FROM ", Table(k), " WHERE id = ", id)};
      }
      case 2:
        return IdIn(k, 2 + Rand(4));
      case 3: {  // usually more than 101 matches: the cap applies
        const int64_t from = std::max<int64_t>(0, max_id_[k] - 250);
        return {
            absl::StrCat("id > ", from),
            absl::StrCat("SELECT id FROM ", Table(k), " WHERE id > ", from)};
      }
      case 4:
        return InContext(k);
      case 5:
        return UriLike();
      default: {
        const std::string& uri = catalog_.uris[Rand(catalog_.uris.size())];
        return {
            absl::StrCat("uri = '", uri, "'"),
            absl::StrCat("SELECT id FROM Artifact WHERE uri = '", uri, "'")};
      }
    }
  }

  Filter EndingFilter(int k) {
    switch (Rand(k == 0 ? 5 : 4)) {
      case 0:  // present but empty: every node of the kind
        return {"", absl::StrCat("SELECT id FROM ", Table(k))};
      case 1:
        return IdIn(k, 1 + Rand(30));
      case 2:
        return InContext(k);
      case 3: {
        const int64_t below = RandomId(k);
        return {
            absl::StrCat("id < ", below),
            absl::StrCat("SELECT id FROM ", Table(k), " WHERE id < ", below)};
      }
      default:
        return UriLike();
    }
  }

  std::mt19937_64 rng_;
  const Catalog& catalog_;
  SqlLineageBaseline& db_;
  int64_t max_id_[2] = {1, 1};
};

// What the server answered (or the baseline computed), in comparable form.
struct Answer {
  absl::StatusCode code = absl::StatusCode::kOk;
  std::vector<int64_t> artifact_ids;
  std::vector<int64_t> execution_ids;
  std::vector<BaselineEvent> events;

  friend bool operator==(const Answer& a, const Answer& b) {
    return a.code == b.code && a.artifact_ids == b.artifact_ids &&
           a.execution_ids == b.execution_ids && a.events == b.events;
  }
};

std::string ToString(const Answer& a) {
  std::string events;
  for (const auto& e : a.events) {
    absl::StrAppend(&events, "(", e.artifact_id, ",", e.execution_id, ",",
                    e.type, ") ");
  }
  return absl::StrCat("code ", absl::StatusCodeToString(a.code),
                      "\n  artifacts [", absl::StrJoin(a.artifact_ids, ","),
                      "]\n  executions [", absl::StrJoin(a.execution_ids, ","),
                      "]\n  events ", events);
}

Answer AskServer(Stub& stub, const Query& q) {
  ml_metadata::GetLineageSubgraphResponse response;
  const absl::Status status =
      MLMDX_CALL(stub, GetLineageSubgraph, q.request, response);
  Answer answer;
  answer.code = status.code();
  const auto& graph = response.lineage_subgraph();
  for (const auto& a : graph.artifacts()) answer.artifact_ids.push_back(a.id());
  for (const auto& e : graph.executions()) {
    answer.execution_ids.push_back(e.id());
  }
  std::sort(answer.artifact_ids.begin(), answer.artifact_ids.end());
  std::sort(answer.execution_ids.begin(), answer.execution_ids.end());
  for (const auto& e : graph.events()) {
    answer.events.push_back({e.artifact_id(), e.execution_id(), e.type()});
  }
  return answer;
}

Answer AskBaseline(SqlLineageBaseline& db, const Query& q) {
  Answer answer;
  absl::StatusOr<BaselineResult> result = db.Run(q.baseline);
  if (!result.ok()) {
    answer.code = result.status().code();
    return answer;
  }
  answer.artifact_ids = std::move(result->artifact_ids);
  answer.execution_ids = std::move(result->execution_ids);
  answer.events = std::move(result->events);
  return answer;
}

// Runs `n` random queries against server and baseline; returns the server's
// answers. Stops after a few mismatches (each is reported in full).
std::vector<Answer> CompareRandomQueries(Stub& stub, SqlLineageBaseline& db,
                                         const Catalog& catalog, uint64_t seed,
                                         int n, std::vector<Query>* queries) {
  QueryMaker maker(seed, catalog, db);
  std::vector<Answer> answers;
  int mismatches = 0, not_found = 0, with_events = 0;
  size_t total_events = 0, max_events = 0;
  for (int i = 0; i < n && mismatches < 3; ++i) {
    Query q = maker.Make();
    Answer got = AskServer(stub, q);
    const Answer want = AskBaseline(db, q);
    ++g_compared;
    if (!(got == want)) {
      ++mismatches;
      ADD_FAILURE() << "query " << i << " (seed " << seed
                    << "): " << q.request.ShortDebugString()
                    << "\nserver:   " << ToString(got)
                    << "\nbaseline: " << ToString(want);
    }
    if (got.code == absl::StatusCode::kNotFound) ++not_found;
    if (!got.events.empty()) ++with_events;
    total_events += got.events.size();
    max_events = std::max(max_events, got.events.size());
    answers.push_back(std::move(got));
    if (queries != nullptr) queries->push_back(std::move(q));
  }
  // Shows that the random queries exercise something.
  std::printf(
      "seed %llu: %zu queries, %d NOT_FOUND, %d with events, %.1f events "
      "per answer, at most %zu\n",
      static_cast<unsigned long long>(seed), answers.size(), not_found,
      with_events, answers.empty() ? 0.0 : 1.0 * total_events / answers.size(),
      max_events);
  return answers;
}

TEST(LineageRandomRpcTest, RandomGraphsMatchTheSqlBaseline) {
  for (uint64_t seed : {1, 2}) {
    TestServer server;
    ASSERT_THAT(server.Start(kServerFlags), IsOk());
    auto stub = server.NewStub();
    PipelineWriter writer(stub.get(), PutTypes(*stub), seed, "");
    writer.WriteRuns(300);
    ASSERT_FALSE(::testing::Test::HasFailure());
    auto db = SqlLineageBaseline::Open(server.db_path());
    ASSERT_THAT(db.status(), IsOk());
    CompareRandomQueries(*stub, **db, writer.catalog(), seed * 1000, 4000,
                         nullptr);
  }
}

TEST(LineageRandomRpcTest, AnswersSurviveARestart) {
  TestServer server;
  ASSERT_THAT(server.Start(kServerFlags), IsOk());
  auto stub = server.NewStub();
  PipelineWriter writer(stub.get(), PutTypes(*stub), 3, "");
  writer.WriteRuns(200);
  ASSERT_FALSE(::testing::Test::HasFailure());
  auto db = SqlLineageBaseline::Open(server.db_path());
  ASSERT_THAT(db.status(), IsOk());
  std::vector<Query> queries;
  const std::vector<Answer> before =
      CompareRandomQueries(*stub, **db, writer.catalog(), 3000, 1000, &queries);

  server.Stop();
  ASSERT_THAT(server.Start(kServerFlags), IsOk());
  EXPECT_NE(server.Log().find("lineage index: "), std::string::npos);
  stub = server.NewStub();
  db = SqlLineageBaseline::Open(server.db_path());
  ASSERT_THAT(db.status(), IsOk());
  int differences = 0;
  for (size_t i = 0; i < queries.size() && differences < 3; ++i) {
    const Answer after = AskServer(*stub, queries[i]);
    if (!(after == before[i])) {
      ++differences;
      ADD_FAILURE() << "after restart: "
                    << queries[i].request.ShortDebugString()
                    << "\nbefore: " << ToString(before[i])
                    << "\nafter:  " << ToString(after);
    }
  }
  // And the rebuilt index still equals the baseline on fresh queries.
  CompareRandomQueries(*stub, **db, writer.catalog(), 3001, 500, nullptr);
}

TEST(LineageRandomRpcTest, ConcurrentWritersThenMatchTheSqlBaseline) {
  TestServer server;
  ASSERT_THAT(server.Start(kServerFlags), IsOk());
  auto stub = server.NewStub();
  const TypeIds types = PutTypes(*stub);
  PipelineWriter base(stub.get(), types, 4, "");
  base.WriteRuns(50);
  ASSERT_FALSE(::testing::Test::HasFailure());

  // Four writers extend the same graph at once (their runs consume the
  // shared base artifacts), while a reader keeps querying.
  constexpr int kWriters = 4;
  std::vector<std::unique_ptr<PipelineWriter>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::make_unique<PipelineWriter>(
        stub.get(), types, 10 + w, absl::StrCat("w", w, "-"), base.pool()));
  }
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    auto db = SqlLineageBaseline::Open(server.db_path());
    if (!db.ok()) return;
    QueryMaker maker(99, base.catalog(), **db);
    while (!done) {
      const Answer answer = AskServer(*stub, maker.Make());
      EXPECT_TRUE(answer.code == absl::StatusCode::kOk ||
                  answer.code == absl::StatusCode::kNotFound)
          << absl::StatusCodeToString(answer.code);
      ++reads;
    }
  });
  std::vector<std::thread> threads;
  for (auto& writer : writers) {
    threads.emplace_back([&writer] { writer->WriteRuns(60); });
  }
  for (auto& thread : threads) thread.join();
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);

  Catalog all = base.catalog();
  for (const auto& writer : writers) {
    const Catalog& c = writer->catalog();
    all.context_names.insert(all.context_names.end(), c.context_names.begin(),
                             c.context_names.end());
    all.uri_prefixes.insert(all.uri_prefixes.end(), c.uri_prefixes.begin(),
                            c.uri_prefixes.end());
    all.uris.insert(all.uris.end(), c.uris.begin(), c.uris.end());
  }
  auto db = SqlLineageBaseline::Open(server.db_path());
  ASSERT_THAT(db.status(), IsOk());
  CompareRandomQueries(*stub, **db, all, 4000, 1500, nullptr);
  std::printf("random GetLineageSubgraph queries compared so far: %d\n",
              g_compared.load());
}

}  // namespace
}  // namespace mlmdx::testing
