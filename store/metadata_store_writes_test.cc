// MetadataStore's compound writes used directly, on a SQLite file and on a
// throwaway PostgreSQL cluster (tests/postgres_test.h): what stays true
// while the store saves round trips. Types remembered across transactions
// still see properties another server adds; property rows written together
// read back as they were given; links and events are reported to the commit
// listener as they are inserted; and the PutExecution of a KFP launcher
// keeps within a fixed number of PostgreSQL round trips.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "store/metadata_store.h"
#include "store/postgres_connection.h"
#include "tests/postgres_test.h"
#include "tests/test_util.h"

namespace mlmdx::store {
namespace {

using ::mlmdx::testing::EqualsProto;
using ::mlmdx::testing::IsOk;
using ::mlmdx::testing::ParseTextProto;
using ::mlmdx::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

enum class Backend { kSqlite, kPostgres };

class MetadataStoreWritesTest : public ::mlmdx::testing::PostgresClusterTest {
 protected:
  // Options for a new, empty database of `backend`; every call names
  // another database.
  StoreOptions NewDatabase(Backend backend) {
    StoreOptions options;
    const std::string test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    if (backend == Backend::kSqlite) {
      char dir[] = "/tmp/mlmdx_writes_test_XXXXXX";
      options.sqlite.filename_uri = std::string(mkdtemp(dir)) + "/db.sqlite";
    } else {
      PostgresOptions postgres;
      postgres.conninfo = cluster().ConnInfo(
          absl::AsciiStrToLower(absl::StrCat("db_", test, "_", ++databases_)));
      options.postgres = postgres;
    }
    return options;
  }

  static std::unique_ptr<MetadataStore> Open(const StoreOptions& options) {
    auto store = MetadataStore::Open(options);
    EXPECT_THAT(store.status(), IsOk());
    return store.ok() ? std::move(*store) : nullptr;
  }

  static constexpr Backend kBackends[] = {Backend::kSqlite, Backend::kPostgres};

 private:
  int databases_ = 0;
};

std::string Name(Backend backend) {
  return backend == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}

int64_t PutExecutionType(MetadataStore& store, const std::string& text,
                         bool can_add_fields = false) {
  ml_metadata::PutExecutionTypeRequest request;
  *request.mutable_execution_type() =
      ParseTextProto<ml_metadata::ExecutionType>(text);
  request.set_can_add_fields(can_add_fields);
  ml_metadata::PutExecutionTypeResponse response;
  EXPECT_THAT(store.PutExecutionType(request, &response), IsOk());
  return response.type_id();
}

int64_t PutArtifactType(MetadataStore& store, const std::string& name) {
  ml_metadata::PutArtifactTypeRequest request;
  request.mutable_artifact_type()->set_name(name);
  ml_metadata::PutArtifactTypeResponse response;
  EXPECT_THAT(store.PutArtifactType(request, &response), IsOk());
  return response.type_id();
}

int64_t PutContextType(MetadataStore& store, const std::string& name) {
  ml_metadata::PutContextTypeRequest request;
  request.mutable_context_type()->set_name(name);
  ml_metadata::PutContextTypeResponse response;
  EXPECT_THAT(store.PutContextType(request, &response), IsOk());
  return response.type_id();
}

absl::Status PutExecutionWithProperty(MetadataStore& store, int64_t type_id,
                                      const std::string& property) {
  ml_metadata::PutExecutionRequest request;
  request.mutable_execution()->set_type_id(type_id);
  (*request.mutable_execution()->mutable_properties())[property].set_int_value(
      1);
  ml_metadata::PutExecutionResponse response;
  return store.PutExecution(request, &response);
}

ml_metadata::Execution GetExecution(MetadataStore& store, int64_t id) {
  ml_metadata::GetExecutionsByIDRequest request;
  request.add_execution_ids(id);
  ml_metadata::GetExecutionsByIDResponse response;
  EXPECT_THAT(store.GetExecutionsByID(request, &response), IsOk());
  EXPECT_EQ(response.executions_size(), 1);
  return response.executions_size() == 1 ? response.executions(0)
                                         : ml_metadata::Execution();
}

TEST_F(MetadataStoreWritesTest, TypeGainingPropertyElsewhereIsSeen) {
  for (Backend backend : kBackends) {
    SCOPED_TRACE(Name(backend));
    const StoreOptions options = NewDatabase(backend);
    auto writer = Open(options);
    auto other = Open(options);
    ASSERT_NE(writer, nullptr);
    ASSERT_NE(other, nullptr);
    const int64_t type_id =
        PutExecutionType(*writer,
                         "name: 'Train' properties { key: 'a' "
                         "value: INT }");
    // The writer learns the type as it has one property.
    EXPECT_THAT(PutExecutionWithProperty(*writer, type_id, "a"), IsOk());
    EXPECT_THAT(PutExecutionWithProperty(*writer, type_id, "b"),
                StatusIs(absl::StatusCode::kInvalidArgument));
    // Another server adds a property; the writer accepts it at once.
    EXPECT_EQ(PutExecutionType(*other,
                               "name: 'Train' properties { key: 'a' value: "
                               "INT } properties { key: 'b' value: INT }",
                               /*can_add_fields=*/true),
              type_id);
    EXPECT_THAT(PutExecutionWithProperty(*writer, type_id, "b"), IsOk());
    // A property nobody declared is still refused.
    EXPECT_THAT(PutExecutionWithProperty(*writer, type_id, "c"),
                StatusIs(absl::StatusCode::kInvalidArgument));
    // A type id that named no type is looked up again once it does.
    const int64_t next_id = type_id + 1;
    EXPECT_THAT(PutExecutionWithProperty(*writer, next_id, "a"),
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_EQ(PutExecutionType(*other,
                               "name: 'Next' properties { key: 'a' "
                               "value: INT }"),
              next_id);
    EXPECT_THAT(PutExecutionWithProperty(*writer, next_id, "a"), IsOk());
    // A type of another kind with that id is still not an execution type.
    const int64_t artifact_type_id = PutArtifactType(*other, "Data");
    EXPECT_THAT(PutExecutionWithProperty(*writer, artifact_type_id, "a"),
                StatusIs(absl::StatusCode::kNotFound));
  }
}

// Every kind of value, and strings that need quoting in any encoding.
ml_metadata::Execution ExecutionWithEveryValue(int64_t type_id) {
  ml_metadata::Execution execution;
  execution.set_type_id(type_id);
  auto& properties = *execution.mutable_properties();
  properties["i"].set_int_value(-9007199254740993);
  properties["d"].set_double_value(0.1);
  properties["s"].set_string_value("a \"quoted\", {braced} \\ NULL 'x' é");
  properties["b"].set_bool_value(false);
  auto& custom = *execution.mutable_custom_properties();
  custom["empty"].set_string_value("");
  custom["null_text"].set_string_value("NULL");
  custom["big"].set_double_value(1e300);
  custom["tiny"].set_double_value(-5e-324);
  custom["true"].set_bool_value(true);
  custom["zero"].set_int_value(0);
  google::protobuf::Struct value;
  (*value.mutable_fields())["k"].set_string_value("v\"}");
  *custom["struct"].mutable_struct_value() = value;
  google::protobuf::Value wrapped;
  wrapped.set_string_value("proto \\ bytes");
  custom["proto"].mutable_proto_value()->PackFrom(wrapped);
  custom["i"].set_string_value("same name as a property");
  return execution;
}

TEST_F(MetadataStoreWritesTest, PropertiesReadBackAsWritten) {
  for (Backend backend : kBackends) {
    SCOPED_TRACE(Name(backend));
    auto store = Open(NewDatabase(backend));
    ASSERT_NE(store, nullptr);
    const int64_t type_id = PutExecutionType(
        *store,
        "name: 'T' properties { key: 'i' value: INT } properties { key: 'd' "
        "value: DOUBLE } properties { key: 's' value: STRING } properties { "
        "key: 'b' value: BOOLEAN } properties { key: 'gone' value: INT }");
    ml_metadata::PutExecutionRequest request;
    *request.mutable_execution() = ExecutionWithEveryValue(type_id);
    ml_metadata::PutExecutionResponse response;
    ASSERT_THAT(store->PutExecution(request, &response), IsOk());
    ml_metadata::Execution expected = request.execution();
    ml_metadata::Execution stored =
        GetExecution(*store, response.execution_id());
    for (auto* execution : {&expected, &stored}) {
      execution->clear_id();
      execution->clear_type();
      execution->clear_create_time_since_epoch();
      execution->clear_last_update_time_since_epoch();
    }
    EXPECT_THAT(stored, EqualsProto(expected));

    // An update that inserts, changes and deletes rows of both maps.
    ml_metadata::Execution update = ExecutionWithEveryValue(type_id);
    update.set_id(response.execution_id());
    (*update.mutable_properties())["gone"].set_int_value(7);
    update.mutable_properties()->erase("d");
    (*update.mutable_properties())["s"].set_string_value("changed");
    update.mutable_custom_properties()->erase("struct");
    (*update.mutable_custom_properties())["zero"].set_double_value(0.5);
    (*update.mutable_custom_properties())["new,\"one\""].set_int_value(3);
    *request.mutable_execution() = update;
    ASSERT_THAT(store->PutExecution(request, &response), IsOk());
    stored = GetExecution(*store, response.execution_id());
    update.clear_id();
    stored.clear_id();
    stored.clear_type();
    stored.clear_create_time_since_epoch();
    stored.clear_last_update_time_since_epoch();
    EXPECT_THAT(stored, EqualsProto(update));

    if (backend == Backend::kPostgres) {
      // PostgreSQL cannot store a NUL byte in text, and says which value.
      ml_metadata::Execution with_nul = ExecutionWithEveryValue(type_id);
      (*with_nul.mutable_custom_properties())["nul"].set_string_value(
          std::string("a\0b", 3));
      *request.mutable_execution() = with_nul;
      const absl::Status status = store->PutExecution(request, &response);
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
      EXPECT_THAT(std::string(status.message()),
                  ::testing::HasSubstr("the text value \"a\\x00"));
    }
  }
}

TEST_F(MetadataStoreWritesTest, NewLinksAndEventsAreReportedInOrder) {
  for (Backend backend : kBackends) {
    SCOPED_TRACE(Name(backend));
    auto store = Open(NewDatabase(backend));
    ASSERT_NE(store, nullptr);
    std::vector<LineageChanges> reported;
    store->SetCommitListener([&reported](const LineageChanges& changes) {
      reported.push_back(changes);
    });
    const int64_t execution_type = PutExecutionType(*store, "name: 'E'");
    const int64_t artifact_type = PutArtifactType(*store, "A");
    const int64_t context_type = PutContextType(*store, "C");
    ml_metadata::PutExecutionRequest request =
        ParseTextProto<ml_metadata::PutExecutionRequest>(absl::StrCat(
            "execution { type_id: ", execution_type,
            " } artifact_event_pairs { artifact { type_id: ", artifact_type,
            " uri: 'in' } event { type: INPUT path { steps { key: 'x' } "
            "steps { index: 2 } steps { } } } } artifact_event_pairs { "
            "artifact { type_id: ",
            artifact_type,
            " uri: 'out' } event { type: OUTPUT } } contexts { type_id: ",
            context_type, " name: 'c1' } contexts { type_id: ", context_type,
            " name: 'c2' }"));
    ml_metadata::PutExecutionResponse first;
    ASSERT_THAT(store->PutExecution(request, &first), IsOk());
    ASSERT_EQ(reported.size(), 1u);
    const int64_t e1 = first.execution_id();
    const int64_t in = first.artifact_ids(0), out = first.artifact_ids(1);
    const int64_t c1 = first.context_ids(0), c2 = first.context_ids(1);
    EXPECT_THAT(reported[0].associations,
                ElementsAre(Pair(c1, e1), Pair(c2, e1)));
    EXPECT_THAT(
        reported[0].attributions,
        ElementsAre(Pair(c1, in), Pair(c1, out), Pair(c2, in), Pair(c2, out)));
    ASSERT_EQ(reported[0].events.size(), 2u);
    ml_metadata::Event::Path path;
    ASSERT_TRUE(path.ParseFromString(reported[0].events[0].path));
    EXPECT_THAT(path, EqualsProto(ParseTextProto<ml_metadata::Event::Path>(
                          "steps { key: 'x' } steps { index: 2 }")));
    EXPECT_EQ(reported[0].events[1].path, "");
    EXPECT_LT(reported[0].events[0].id, reported[0].events[1].id);

    // The same artifacts and contexts again, the output artifact twice: only
    // the links of the new execution are new.
    ml_metadata::PutExecutionRequest again;
    again.mutable_execution()->set_type_id(execution_type);
    for (int64_t artifact : {out, in, out}) {
      auto& pair = *again.add_artifact_event_pairs();
      pair.mutable_event()->set_artifact_id(artifact);
      pair.mutable_event()->set_type(artifact == in
                                         ? ml_metadata::Event::OUTPUT
                                         : ml_metadata::Event::INPUT);
      if (artifact == out && again.artifact_event_pairs_size() == 3) {
        pair.mutable_event()->set_type(ml_metadata::Event::DECLARED_OUTPUT);
      }
    }
    for (int64_t context : {c2, c1}) {
      auto& context_proto = *again.add_contexts();
      context_proto.set_id(context);
      context_proto.set_type_id(context_type);
      context_proto.set_name(context == c1 ? "c1" : "c2");
    }
    ml_metadata::PutExecutionResponse second;
    ASSERT_THAT(store->PutExecution(again, &second), IsOk());
    ASSERT_EQ(reported.size(), 2u);
    const int64_t e2 = second.execution_id();
    EXPECT_THAT(reported[1].associations,
                ElementsAre(Pair(c2, e2), Pair(c1, e2)));
    EXPECT_THAT(reported[1].attributions, ElementsAre());
    ASSERT_EQ(reported[1].events.size(), 3u);
    EXPECT_EQ(reported[1].events[0].artifact_id, out);
    EXPECT_EQ(reported[1].events[1].artifact_id, in);
    EXPECT_EQ(reported[1].events[2].type, ml_metadata::Event::DECLARED_OUTPUT);

    // A repeated event fails the whole call and reports nothing.
    ml_metadata::PutExecutionResponse third;
    again.mutable_execution()->set_id(e2);
    EXPECT_THAT(store->PutExecution(again, &third),
                StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_EQ(reported.size(), 2u);
  }
}

// The request bench/kfp_put_execution.h times: a new execution with KFP's
// custom properties, two stored inputs passed back whole, two new outputs,
// and the two stored contexts passed back with their ids.
class KfpPutExecution {
 public:
  explicit KfpPutExecution(MetadataStore& store) {
    execution_type_ =
        PutExecutionType(store, "name: 'system.ContainerExecution'");
    const int64_t input_type = PutArtifactType(store, "system.Dataset");
    output_type_ = PutArtifactType(store, "system.Model");
    ml_metadata::PutArtifactsRequest inputs;
    for (int i = 0; i < 2; ++i) {
      auto& input = *inputs.add_artifacts();
      input.set_type_id(input_type);
      input.set_uri(absl::StrCat("minio://input/", i));
      input.set_state(ml_metadata::Artifact::LIVE);
      (*input.mutable_custom_properties())["display_name"].set_string_value(
          "dataset");
    }
    ml_metadata::PutArtifactsResponse input_ids;
    EXPECT_THAT(store.PutArtifacts(inputs, &input_ids), IsOk());
    ml_metadata::GetArtifactsByIDRequest read;
    *read.mutable_artifact_ids() = input_ids.artifact_ids();
    ml_metadata::GetArtifactsByIDResponse read_back;
    EXPECT_THAT(store.GetArtifactsByID(read, &read_back), IsOk());
    inputs_.assign(read_back.artifacts().begin(), read_back.artifacts().end());
    ml_metadata::PutContextsRequest contexts;
    for (const char* type : {"system.Pipeline", "system.PipelineRun"}) {
      auto& context = *contexts.add_contexts();
      context.set_type_id(PutContextType(store, type));
      context.set_name(type);
    }
    (*contexts.mutable_contexts(1)->mutable_custom_properties())["namespace"]
        .set_string_value("kubeflow");
    ml_metadata::PutContextsResponse context_ids;
    EXPECT_THAT(store.PutContexts(contexts, &context_ids), IsOk());
    for (int i = 0; i < contexts.contexts_size(); ++i) {
      contexts_.push_back(contexts.contexts(i));
      contexts_.back().set_id(context_ids.context_ids(i));
    }
  }

  ml_metadata::PutExecutionRequest Next() {
    const int n = requests_++;
    ml_metadata::PutExecutionRequest request;
    auto& execution = *request.mutable_execution();
    execution.set_type_id(execution_type_);
    execution.set_last_known_state(ml_metadata::Execution::COMPLETE);
    auto& properties = *execution.mutable_custom_properties();
    for (const char* name : {"display_name", "task_name", "pod_name", "pod_uid",
                             "namespace", "image", "cache_fingerprint"}) {
      properties[name].set_string_value(absl::StrCat(name, n));
    }
    properties["parent_dag_id"].set_int_value(1);
    for (const auto& input : inputs_) {
      auto& pair = *request.add_artifact_event_pairs();
      *pair.mutable_artifact() = input;
      pair.mutable_event()->set_type(ml_metadata::Event::INPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key("dataset");
    }
    for (const char* name : {"model", "executor-logs"}) {
      auto& pair = *request.add_artifact_event_pairs();
      auto& output = *pair.mutable_artifact();
      output.set_type_id(output_type_);
      output.set_uri(absl::StrCat("minio://train/", n, "/", name));
      output.set_state(ml_metadata::Artifact::LIVE);
      (*output.mutable_custom_properties())["display_name"].set_string_value(
          name);
      pair.mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      pair.mutable_event()->mutable_path()->add_steps()->set_key(name);
    }
    for (const auto& context : contexts_) *request.add_contexts() = context;
    return request;
  }

 private:
  int64_t execution_type_ = 0;
  int64_t output_type_ = 0;
  std::vector<ml_metadata::Artifact> inputs_;
  std::vector<ml_metadata::Context> contexts_;
  int requests_ = 0;
};

// Writes whose failure PostgreSQL reports late (a deferred statement's
// error comes back with a later statement): the request still gets the
// error of the write that failed, naming its values, and changes nothing.
TEST_F(MetadataStoreWritesTest, LateWriteErrorsNameTheirWriteAndChangeNothing) {
  for (Backend backend : kBackends) {
    SCOPED_TRACE(Name(backend));
    auto store = Open(NewDatabase(backend));
    ASSERT_NE(store, nullptr);
    const int64_t execution_type = PutExecutionType(*store, "name: 'E'");
    const int64_t artifact_type = PutArtifactType(*store, "A");
    const int64_t context_type = PutContextType(*store, "C");
    ml_metadata::PutExecutionRequest first =
        ParseTextProto<ml_metadata::PutExecutionRequest>(absl::StrCat(
            "execution { type_id: ", execution_type,
            " } artifact_event_pairs { artifact { type_id: ", artifact_type,
            " uri: 'in' } event { type: INPUT } }"));
    ml_metadata::PutExecutionResponse written;
    ASSERT_THAT(store->PutExecution(first, &written), IsOk());
    const int64_t artifact = written.artifact_ids(0);
    const int64_t execution = written.execution_id();

    // A new event, then one that exists.
    ml_metadata::PutEventsRequest events =
        ParseTextProto<ml_metadata::PutEventsRequest>(absl::StrCat(
            "events { artifact_id: ", artifact, " execution_id: ", execution,
            " type: OUTPUT } events { artifact_id: ", artifact,
            " execution_id: ", execution, " type: INPUT }"));
    ml_metadata::PutEventsResponse events_response;
    const absl::Status duplicate = store->PutEvents(events, &events_response);
    EXPECT_THAT(duplicate, StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_THAT(std::string(duplicate.message()),
                ::testing::HasSubstr(absl::StrCat(
                    "an event of type INPUT between artifact ", artifact,
                    " and execution ", execution, " already exists")));
    ml_metadata::GetEventsByExecutionIDsRequest read_events;
    read_events.add_execution_ids(execution);
    ml_metadata::GetEventsByExecutionIDsResponse stored_events;
    ASSERT_THAT(store->GetEventsByExecutionIDs(read_events, &stored_events),
                IsOk());
    ASSERT_EQ(stored_events.events_size(), 1);
    EXPECT_EQ(stored_events.events(0).type(), ml_metadata::Event::INPUT);

    // A rename onto a taken name, then a new context: the error names the
    // rename, not the context after it.
    ml_metadata::PutContextsRequest contexts =
        ParseTextProto<ml_metadata::PutContextsRequest>(
            absl::StrCat("contexts { type_id: ", context_type,
                         " name: 'one' } contexts { type_id: ", context_type,
                         " name: 'two' }"));
    ml_metadata::PutContextsResponse context_ids;
    ASSERT_THAT(store->PutContexts(contexts, &context_ids), IsOk());
    ml_metadata::PutContextsRequest clash =
        ParseTextProto<ml_metadata::PutContextsRequest>(absl::StrCat(
            "contexts { id: ", context_ids.context_ids(1), " type_id: ",
            context_type, " name: 'one' } contexts { type_id: ", context_type,
            " name: 'three' }"));
    ml_metadata::PutContextsResponse clash_response;
    const absl::Status taken = store->PutContexts(clash, &clash_response);
    EXPECT_THAT(taken, StatusIs(absl::StatusCode::kAlreadyExists));
    EXPECT_THAT(std::string(taken.message()),
                ::testing::HasSubstr("name 'one'"));
    ml_metadata::GetContextsRequest all_contexts;
    ml_metadata::GetContextsResponse stored_contexts;
    ASSERT_THAT(store->GetContexts(all_contexts, &stored_contexts), IsOk());
    std::vector<std::string> names;
    for (const auto& context : stored_contexts.contexts()) {
      names.push_back(context.name());
    }
    EXPECT_THAT(names, ::testing::UnorderedElementsAre("one", "two"));
  }
}

// Nodes passed back with their ids are read ahead together; a node named
// twice still sees its own first update, and an unknown id is still
// refused with its own error.
TEST_F(MetadataStoreWritesTest, NodesReadAheadSeeTheirOwnUpdates) {
  for (Backend backend : kBackends) {
    SCOPED_TRACE(Name(backend));
    auto store = Open(NewDatabase(backend));
    ASSERT_NE(store, nullptr);
    const int64_t execution_type = PutExecutionType(*store, "name: 'E'");
    const int64_t artifact_type = PutArtifactType(*store, "A");
    const int64_t context_type = PutContextType(*store, "C");
    ml_metadata::PutExecutionRequest setup =
        ParseTextProto<ml_metadata::PutExecutionRequest>(absl::StrCat(
            "execution { type_id: ", execution_type,
            " } artifact_event_pairs { artifact { type_id: ", artifact_type,
            " uri: 'x' } } artifact_event_pairs { artifact { type_id: ",
            artifact_type, " uri: 'y' } } contexts { type_id: ", context_type,
            " name: 'c' } contexts { type_id: ", context_type, " name: 'd' }"));
    ml_metadata::PutExecutionResponse ids;
    ASSERT_THAT(store->PutExecution(setup, &ids), IsOk());
    const int64_t x = ids.artifact_ids(0), y = ids.artifact_ids(1);
    const int64_t c = ids.context_ids(0), d = ids.context_ids(1);

    ml_metadata::PutExecutionRequest twice = ParseTextProto<
        ml_metadata::PutExecutionRequest>(absl::StrCat(
        "execution { type_id: ", execution_type, " }",
        " artifact_event_pairs { artifact { id: ", x,
        " type_id: ", artifact_type, " uri: 'x2' } }",
        " artifact_event_pairs { artifact { id: ", y,
        " type_id: ", artifact_type, " uri: 'y' } }",
        " artifact_event_pairs { artifact { id: ", x,
        " type_id: ", artifact_type, " uri: 'x' } }", " contexts { id: ", c,
        " type_id: ", context_type,
        " name: 'c' custom_properties { key: 'k' value { int_value: 1 } } }",
        " contexts { id: ", d, " type_id: ", context_type, " name: 'd' }",
        " contexts { id: ", c, " type_id: ", context_type, " name: 'c' }"));
    ml_metadata::PutExecutionResponse response;
    ASSERT_THAT(store->PutExecution(twice, &response), IsOk());
    ml_metadata::GetArtifactsByIDRequest read_artifacts;
    read_artifacts.add_artifact_ids(x);
    ml_metadata::GetArtifactsByIDResponse artifacts;
    ASSERT_THAT(store->GetArtifactsByID(read_artifacts, &artifacts), IsOk());
    ASSERT_EQ(artifacts.artifacts_size(), 1);
    // Back to its stored value: a stale copy would see no change.
    EXPECT_EQ(artifacts.artifacts(0).uri(), "x");
    ml_metadata::GetContextsByIDRequest read_contexts;
    read_contexts.add_context_ids(c);
    ml_metadata::GetContextsByIDResponse contexts;
    ASSERT_THAT(store->GetContextsByID(read_contexts, &contexts), IsOk());
    ASSERT_EQ(contexts.contexts_size(), 1);
    EXPECT_TRUE(contexts.contexts(0).custom_properties().empty());

    ml_metadata::PutExecutionRequest unknown =
        ParseTextProto<ml_metadata::PutExecutionRequest>(absl::StrCat(
            "execution { type_id: ", execution_type, " }",
            " artifact_event_pairs { artifact { id: ", x,
            " type_id: ", artifact_type, " uri: 'x4' } }",
            " artifact_event_pairs { artifact { id: 999999 type_id: ",
            artifact_type, " uri: 'z' } }"));
    const absl::Status refused = store->PutExecution(unknown, &response);
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(refused.message()), ::testing::HasSubstr("999999"));
    ASSERT_THAT(store->GetArtifactsByID(read_artifacts, &artifacts), IsOk());
    EXPECT_EQ(artifacts.artifacts(0).uri(), "x");
  }
}

TEST_F(MetadataStoreWritesTest, KfpPutExecutionRoundTrips) {
  auto store = Open(NewDatabase(Backend::kPostgres));
  ASSERT_NE(store, nullptr);
  KfpPutExecution writes(*store);
  ml_metadata::PutExecutionResponse response;
  // The first call also prepares the statements of its connection.
  ASSERT_THAT(store->PutExecution(writes.Next(), &response), IsOk());
  const int64_t before = PostgresConnection::RoundTrips();
  ASSERT_THAT(store->PutExecution(writes.Next(), &response), IsOk());
  const int64_t round_trips = PostgresConnection::RoundTrips() - before;
  RecordProperty("round_trips", static_cast<int>(round_trips));
  // Statements whose answers nothing waits on go with the next one that
  // is awaited: BEGIN with the first read, the events (one statement) and
  // the context updates with a later read, the change log's row with
  // COMMIT. What is left: the two inputs read back together, the three new
  // nodes inserted with their properties (their ids are needed), the two
  // contexts read back together, the answers the change log's row needs
  // (new event ids, which links were new), and COMMIT.
  EXPECT_LE(round_trips, 7);
}

}  // namespace
}  // namespace mlmdx::store
