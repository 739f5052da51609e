// Ten thousand hostile requests against one server: undecodable bytes sent
// to every RPC of the service, bodies over the message size limit, messages
// nested beyond the parser's limit, fields of the wrong wire type, and
// well-formed requests that the service must refuse. Each gets its expected
// status (never UNKNOWN or INTERNAL), the server keeps serving, what was
// written before reads back byte for byte, and the server's memory does not
// grow with the number of bad requests.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

constexpr int kRequests = 10000;
// The memory baseline is the highest of the readings taken every 1,000
// requests during the warm-up: by then every kind of request, oversized
// bodies included, has gone through each of gRPC's threads, and the
// allocator's arenas have their working size (readings then wander by
// +-10% with no trend). The end point is the lowest of the last
// kEndReadings readings: a leak lifts every one of them, a wander only some.
constexpr int kWarmUpRequests = 3000;
constexpr int kEndReadings = 3;

// Resident memory of `pid` in KiB, from /proc/PID/status.
int64_t ResidentKib(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      rest = absl::StripAsciiWhitespace(absl::StripSuffix(rest, "kB"));
      int64_t kib = 0;
      if (absl::SimpleAtoi(rest, &kib)) return kib;
    }
  }
  ADD_FAILURE() << "no VmRSS for pid " << pid;
  return -1;
}

std::string Deterministic(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// One hostile request: raw body for `method`, and the status it must get.
struct BadRequest {
  std::string name;
  std::string method;
  std::string body;
  grpc::StatusCode expected;
};

class BadInputFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(server_.Start(), IsOk());
    stub_ = server_.NewStub();
    generic_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(
        server_.address(), grpc::InsecureChannelCredentials()));
    Seed();
  }

  // A small KFP-like store: typed artifacts and executions with properties,
  // events between them, a context holding them.
  void Seed() {
    ml_metadata::PutArtifactTypeRequest artifact_type;
    artifact_type.mutable_artifact_type()->set_name("Model");
    (*artifact_type.mutable_artifact_type()->mutable_properties())["size"] =
        ml_metadata::INT;
    ml_metadata::PutArtifactTypeResponse artifact_type_id;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, PutArtifactType, artifact_type, artifact_type_id),
        IsOk());
    artifact_type_id_ = artifact_type_id.type_id();
    ml_metadata::PutExecutionTypeRequest execution_type;
    execution_type.mutable_execution_type()->set_name("Trainer");
    ml_metadata::PutExecutionTypeResponse execution_type_id;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, PutExecutionType, execution_type, execution_type_id),
        IsOk());
    ml_metadata::PutContextTypeRequest context_type;
    context_type.mutable_context_type()->set_name("Run");
    ml_metadata::PutContextTypeResponse context_type_id;
    ASSERT_THAT(
        MLMDX_CALL(*stub_, PutContextType, context_type, context_type_id),
        IsOk());
    for (int step = 0; step < 10; ++step) {
      ml_metadata::PutExecutionRequest request;
      request.mutable_options()->set_reuse_context_if_already_exist(true);
      request.mutable_execution()->set_type_id(execution_type_id.type_id());
      request.mutable_execution()->set_last_known_state(
          ml_metadata::Execution::COMPLETE);
      (*request.mutable_execution()->mutable_custom_properties())["step"]
          .set_int_value(step);
      auto* output = request.add_artifact_event_pairs();
      output->mutable_artifact()->set_type_id(artifact_type_id_);
      output->mutable_artifact()->set_uri(absl::StrCat("s3://m/", step));
      (*output->mutable_artifact()->mutable_properties())["size"].set_int_value(
          step * 100);
      output->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
      auto* context = request.add_contexts();
      context->set_type_id(context_type_id.type_id());
      context->set_name("run-1");
      ml_metadata::PutExecutionResponse response;
      ASSERT_THAT(MLMDX_CALL(*stub_, PutExecution, request, response), IsOk());
      context_id_ = response.context_ids(0);
    }
  }

  // Everything the store holds, as deterministic bytes.
  std::string Snapshot() {
    std::string all;
    ml_metadata::GetArtifactsResponse artifacts;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetArtifacts,
                           ml_metadata::GetArtifactsRequest(), artifacts),
                IsOk());
    ml_metadata::GetExecutionsResponse executions;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetExecutions,
                           ml_metadata::GetExecutionsRequest(), executions),
                IsOk());
    ml_metadata::GetContextsResponse contexts;
    EXPECT_THAT(MLMDX_CALL(*stub_, GetContexts,
                           ml_metadata::GetContextsRequest(), contexts),
                IsOk());
    ml_metadata::GetArtifactTypesResponse artifact_types;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetArtifactTypes,
                   ml_metadata::GetArtifactTypesRequest(), artifact_types),
        IsOk());
    ml_metadata::GetExecutionTypesResponse execution_types;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetExecutionTypes,
                   ml_metadata::GetExecutionTypesRequest(), execution_types),
        IsOk());
    ml_metadata::GetEventsByExecutionIDsRequest events_request;
    for (const auto& execution : executions.executions()) {
      events_request.add_execution_ids(execution.id());
    }
    ml_metadata::GetEventsByExecutionIDsResponse events;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetEventsByExecutionIDs, events_request, events),
        IsOk());
    ml_metadata::GetArtifactsByContextRequest by_context;
    by_context.set_context_id(context_id_);
    ml_metadata::GetArtifactsByContextResponse in_context;
    EXPECT_THAT(
        MLMDX_CALL(*stub_, GetArtifactsByContext, by_context, in_context),
        IsOk());
    EXPECT_EQ(artifacts.artifacts_size(), 10);
    EXPECT_EQ(events.events_size(), 10);
    for (const google::protobuf::Message* message :
         std::initializer_list<const google::protobuf::Message*>{
             &artifacts, &executions, &contexts, &artifact_types,
             &execution_types, &events, &in_context}) {
      absl::StrAppend(&all, Deterministic(*message), "|");
    }
    return all;
  }

  grpc::Status Send(const BadRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    grpc::Slice slice(request.body);
    grpc::ByteBuffer body(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic_->UnaryCall(
        &context, request.method, grpc::StubOptions(), &body, &response,
        [&done](grpc::Status status) { done.set_value(std::move(status)); });
    return done.get_future().get();
  }

  std::vector<BadRequest> Catalogue();

  TestServer server_;
  std::unique_ptr<ml_metadata::MetadataStoreService::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_;
  int64_t artifact_type_id_ = 0;
  int64_t context_id_ = 0;
};

std::string Method(absl::string_view name) {
  return absl::StrCat("/ml_metadata.MetadataStoreService/", name);
}

// Struct values nested `depth` deep in an artifact's custom property,
// beyond protobuf's default recursion limit of 100 when depth > 100.
std::string DeeplyNestedPutArtifacts(int64_t type_id, int depth) {
  ml_metadata::PutArtifactsRequest request;
  ml_metadata::Artifact* artifact = request.add_artifacts();
  artifact->set_type_id(type_id);
  google::protobuf::Value* value =
      &(*(*artifact->mutable_custom_properties())["deep"]
             .mutable_struct_value()
             ->mutable_fields())["k"];
  for (int level = 0; level < depth; ++level) {
    value = &(*value->mutable_struct_value()->mutable_fields())["k"];
  }
  value->set_number_value(1);
  return request.SerializeAsString();
}

std::vector<BadRequest> BadInputFloodTest::Catalogue() {
  using grpc::StatusCode;
  std::vector<BadRequest> catalogue;
  // Undecodable bodies, to every RPC the service has. Each stops the parser
  // for certain: a length running past the end, wire type 7 (which does not
  // exist), an end-group tag with no group open, field number 0.
  const google::protobuf::ServiceDescriptor* service =
      ml_metadata::GetArtifactsRequest::descriptor()->file()->FindServiceByName(
          "MetadataStoreService");
  EXPECT_NE(service, nullptr);
  const std::vector<std::string> undecodable = {
      std::string("\x0a\xff\xff\xff\x0f"
                  "abc",
                  8),
      std::string("\x0f\x01", 2), std::string("\x0c", 1),
      std::string("\x00\x01", 2),
      std::string("\x12\x05"
                  "ab",
                  4)};
  for (int m = 0; service != nullptr && m < service->method_count(); ++m) {
    for (size_t b = 0; b < undecodable.size(); ++b) {
      catalogue.push_back({absl::StrCat("undecodable#", b),
                           Method(service->method(m)->name()), undecodable[b],
                           StatusCode::INVALID_ARGUMENT});
    }
  }
  // Over gRPC's default 4 MiB receive limit.
  {
    ml_metadata::PutArtifactsRequest request;
    request.add_artifacts()->set_type_id(artifact_type_id_);
    request.mutable_artifacts(0)->set_uri(std::string((4 << 20) + 64, 'u'));
    catalogue.push_back({"oversized", Method("PutArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::RESOURCE_EXHAUSTED});
  }
  catalogue.push_back({"nested-struct", Method("PutArtifacts"),
                       DeeplyNestedPutArtifacts(artifact_type_id_, 200),
                       StatusCode::INVALID_ARGUMENT});
  // Wrong wire types: a varint where a message is expected leaves the
  // message unset (the varint is kept as an unknown field).
  catalogue.push_back({"type-as-varint", Method("PutArtifactType"),
                       std::string("\x08\x07", 2),
                       StatusCode::INVALID_ARGUMENT});
  // Well-formed requests the service refuses.
  {
    ml_metadata::PutArtifactsRequest request;
    request.add_artifacts()->set_type_id(987654321);
    catalogue.push_back({"unknown-type", Method("PutArtifacts"),
                         request.SerializeAsString(), StatusCode::NOT_FOUND});
  }
  {
    ml_metadata::PutArtifactsRequest request;
    auto* artifact = request.add_artifacts();
    artifact->set_type_id(artifact_type_id_);
    (*artifact->mutable_properties())["undeclared"].set_int_value(1);
    catalogue.push_back({"undeclared-property", Method("PutArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::PutArtifactsRequest request;
    auto* artifact = request.add_artifacts();
    artifact->set_type_id(artifact_type_id_);
    (*artifact->mutable_properties())["size"].set_string_value("big");
    catalogue.push_back({"wrong-property-type", Method("PutArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::PutArtifactsRequest request;
    request.add_artifacts()->set_id(-7);
    catalogue.push_back({"negative-id", Method("PutArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::PutEventsRequest request;
    auto* event = request.add_events();
    event->set_artifact_id(-5);
    event->set_execution_id(-6);
    event->set_type(ml_metadata::Event::INPUT);
    catalogue.push_back({"negative-event-ids", Method("PutEvents"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::PutArtifactTypeRequest request;
    request.mutable_artifact_type()->set_name("Model");
    (*request.mutable_artifact_type()->mutable_properties())["size"] =
        ml_metadata::STRING;
    catalogue.push_back({"type-property-changed", Method("PutArtifactType"),
                         request.SerializeAsString(),
                         StatusCode::ALREADY_EXISTS});
  }
  {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_filter_query("uri = = 'x'");
    catalogue.push_back({"filter-syntax", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_filter_query(
        std::string(5000, '(') + "id = 1" + std::string(5000, ')'));
    catalogue.push_back({"filter-too-long", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_filter_query(
        std::string(100, '(') + "id = 1" + std::string(100, ')'));
    catalogue.push_back({"filter-too-deep", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    std::string in_list = "id IN (1";
    for (int id = 2; id <= 1500; ++id) absl::StrAppend(&in_list, ",", id);
    in_list += ")";
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_filter_query(in_list);
    catalogue.push_back({"in-list-too-long", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    std::string aliases;
    for (int alias = 0; alias < 40; ++alias) {
      absl::StrAppend(&aliases, alias == 0 ? "" : " AND ", "contexts_a", alias,
                      ".name = 'x'");
    }
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_filter_query(aliases);
    catalogue.push_back({"too-many-aliases", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::GetArtifactsRequest request;
    request.mutable_options()->set_next_page_token("forged-token");
    catalogue.push_back({"forged-page-token", Method("GetArtifacts"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  {
    ml_metadata::GetLineageSubgraphRequest request;
    request.mutable_lineage_subgraph_query_options()
        ->mutable_starting_artifacts()
        ->set_filter_query("id = 1");
    request.mutable_lineage_subgraph_query_options()->set_max_num_hops(-3);
    catalogue.push_back({"negative-hops", Method("GetLineageSubgraph"),
                         request.SerializeAsString(),
                         StatusCode::INVALID_ARGUMENT});
  }
  return catalogue;
}

TEST_F(BadInputFloodTest, TenThousandBadRequestsChangeNothing) {
  const std::string before = Snapshot();
  const std::vector<BadRequest> catalogue = Catalogue();
  // Half the requests are undecodable bodies (to a random RPC), half the
  // other kinds. Oversized bodies are 4 MiB each: one in a hundred.
  std::vector<const BadRequest*> undecodable;
  std::vector<const BadRequest*> others;
  const BadRequest* oversized = nullptr;
  for (const BadRequest& request : catalogue) {
    if (request.name == "oversized") {
      oversized = &request;
    } else if (request.name.rfind("undecodable", 0) == 0) {
      undecodable.push_back(&request);
    } else {
      others.push_back(&request);
    }
  }
  ASSERT_NE(oversized, nullptr);
  std::mt19937 random(20261204);
  std::map<std::string, int> sent_by_name;
  std::map<std::string, std::string> unexpected;
  int64_t warm_kib = 0;
  std::vector<int64_t> readings;
  for (int i = 0; i < kRequests; ++i) {
    const std::vector<const BadRequest*>& group =
        i % 2 == 0 ? undecodable : others;
    const BadRequest& request =
        i % 100 == 99 ? *oversized : *group[random() % group.size()];
    const grpc::Status status = Send(request);
    ++sent_by_name[request.name];
    if (status.error_code() != request.expected ||
        status.error_message().empty()) {
      // One line per kind of request, not ten thousand.
      unexpected.emplace(request.name,
                         absl::StrCat("request ", i, " to ", request.method,
                                      ": code ", status.error_code(), ", '",
                                      status.error_message(), "'"));
    }
    // Halfway between two oversized requests (one in a hundred), so that
    // no reading catches the megabytes of one in flight.
    if ((i + 1) % 1000 == 550) {
      const int64_t kib = ResidentKib(server_.pid());
      std::cerr << "VmRSS after " << i + 1 << " requests: " << kib << " KiB\n";
      if (i + 1 <= kWarmUpRequests) warm_kib = std::max(warm_kib, kib);
      readings.push_back(kib);
    }
  }
  for (const auto& [name, first] : unexpected) {
    ADD_FAILURE() << name << " did not get its expected status: " << first;
  }
  ASSERT_EQ(kill(server_.pid(), 0), 0) << "the server exited";
  EXPECT_EQ(Snapshot(), before);
  // Every kind of bad request was sent many times.
  for (const BadRequest& request : catalogue) {
    EXPECT_GE(sent_by_name[request.name], 50) << request.name;
  }
  ASSERT_GE(readings.size(), static_cast<size_t>(kEndReadings));
  const int64_t end_kib =
      *std::min_element(readings.end() - kEndReadings, readings.end());
  std::cerr << "VmRSS: warm-up peak " << warm_kib << " KiB, end " << end_kib
            << " KiB\n";
  EXPECT_LT(end_kib * 10, warm_kib * 11)
      << "resident memory grew from " << warm_kib << " KiB to " << end_kib
      << " KiB";
  EXPECT_EQ(server_.Stop(), 0);
}

}  // namespace
}  // namespace mlmdx::testing
