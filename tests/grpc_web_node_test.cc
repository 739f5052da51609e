// A real grpc-web client against the real server: Node with npm's grpc-web
// and google-protobuf runtimes, and clients and message classes generated
// from our .proto files at test time (tests/grpc_web_client/setup.sh, run by
// CTest as a fixture). The test seeds a database through native gRPC, writes
// a plan of calls (every call the Kubeflow Pipelines UI makes, MLMD's
// lineage RPCs, mlmdx's QueryLineage, error cases, paging, tokens), lets
// tests/grpc_web_client/run_plan.js make them over grpc-web, and checks each
// answer value by value against native gRPC's answer to the same request on
// the same server: the message as the JavaScript classes re-serialize it,
// the values read through their getters, and error codes and messages.
//
// Skipped, saying so, only where node is not installed (as the Chromium
// tests are where chromium is not).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mlmdx/lineage_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/http_client.h"
#include "tests/kfp_workload.h"
#include "tests/test_server.h"
#include "tests/test_util.h"

namespace mlmdx::testing {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::nlohmann::json;
using MetadataStub = ml_metadata::MetadataStoreService::Stub;
using LineageStub = ::mlmdx::LineageService::Stub;

// Where setup.sh prepared the client (npm packages, generated code).
constexpr char kClientDir[] = MLMDX_GRPC_WEB_NODE_CLIENT_DIR;

bool HaveNode() { return std::system("command -v node >/dev/null") == 0; }

// ---------------------------------------------------------------------------
// The view of an answer that tests/grpc_web_client/view.js reads through the
// generated getters, built here from native gRPC's message. A field appears
// only when set; oneofs by the case that is set.

json ScalarOf(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_INT64:
      return reflection->GetInt64(message, field);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return reflection->GetDouble(message, field);
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection->GetEnumValue(message, field);
    case FieldDescriptor::CPPTYPE_STRING:
      return reflection->GetString(message, field);
    default:
      ADD_FAILURE() << "no scalar view of " << field->full_name();
      return nullptr;
  }
}

// The fields of `message` named in `names` that are set.
json Scalars(const Message& message, const std::vector<std::string>& names) {
  json view = json::object();
  for (const std::string& name : names) {
    const FieldDescriptor* field =
        message.GetDescriptor()->FindFieldByName(name);
    if (field != nullptr && message.GetReflection()->HasField(message, field)) {
      view[name] = ScalarOf(message, field);
    }
  }
  return view;
}

json StructView(const google::protobuf::Struct& value);

json StructValueView(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return {{"null_value", static_cast<int>(value.null_value())}};
    case google::protobuf::Value::kNumberValue:
      return {{"number_value", value.number_value()}};
    case google::protobuf::Value::kStringValue:
      return {{"string_value", value.string_value()}};
    case google::protobuf::Value::kBoolValue:
      return {{"bool_value", value.bool_value()}};
    case google::protobuf::Value::kStructValue:
      return {{"struct_value", StructView(value.struct_value())}};
    case google::protobuf::Value::kListValue: {
      json values = json::array();
      for (const auto& item : value.list_value().values()) {
        values.push_back(StructValueView(item));
      }
      return {{"list_value", values}};
    }
    default:
      return json::object();
  }
}

json StructView(const google::protobuf::Struct& value) {
  json fields = json::object();
  for (const auto& [key, item] : value.fields()) {
    fields[key] = StructValueView(item);
  }
  return fields;
}

json ValueView(const ml_metadata::Value& value) {
  switch (value.value_case()) {
    case ml_metadata::Value::kIntValue:
      return {{"int_value", value.int_value()}};
    case ml_metadata::Value::kDoubleValue:
      return {{"double_value", value.double_value()}};
    case ml_metadata::Value::kStringValue:
      return {{"string_value", value.string_value()}};
    case ml_metadata::Value::kBoolValue:
      return {{"bool_value", value.bool_value()}};
    case ml_metadata::Value::kStructValue:
      return {{"struct_value", StructView(value.struct_value())}};
    case ml_metadata::Value::kProtoValue:
      return {{"proto_value",
               {{"type_url", value.proto_value().type_url()},
                {"value", absl::Base64Escape(value.proto_value().value())}}}};
    default:
      return json::object();
  }
}

template <typename Map, typename ViewOf>
json PropertiesView(const Map& map, ViewOf view_of) {
  json view = json::object();
  for (const auto& [key, value] : map) view[key] = view_of(value);
  return view;
}

template <typename Node>
json NodeView(const Node& node) {
  json view =
      Scalars(node, {"id", "type_id", "type", "name", "external_id", "uri",
                     "state", "last_known_state", "create_time_since_epoch",
                     "last_update_time_since_epoch"});
  view["properties"] = PropertiesView(node.properties(), ValueView);
  view["custom_properties"] =
      PropertiesView(node.custom_properties(), ValueView);
  return view;
}

template <typename Type>
json TypeView(const Type& type) {
  json view = Scalars(type, {"id", "name", "version", "description",
                             "external_id", "base_type"});
  view["properties"] =
      PropertiesView(type.properties(), [](int kind) { return json(kind); });
  return view;
}

json EventView(const ml_metadata::Event& event) {
  json view = Scalars(event, {"artifact_id", "execution_id", "type",
                              "milliseconds_since_epoch"});
  if (event.has_path()) {
    json steps = json::array();
    for (const auto& step : event.path().steps()) {
      if (step.has_index()) {
        steps.push_back({{"index", step.index()}});
      } else if (step.has_key()) {
        steps.push_back({{"key", step.key()}});
      } else {
        steps.push_back(json::object());
      }
    }
    view["path"] = steps;
  }
  return view;
}

json LinkView(const Message& link) {
  return Scalars(link, {"artifact_id", "execution_id", "context_id", "child_id",
                        "parent_id"});
}

template <typename Item, typename ViewOf>
json ListView(const google::protobuf::RepeatedPtrField<Item>& items,
              ViewOf view_of) {
  json view = json::array();
  for (const Item& item : items) view.push_back(view_of(item));
  return view;
}

json LineageGraphView(const ml_metadata::LineageGraph& graph) {
  return {
      {"artifact_types",
       ListView(graph.artifact_types(), TypeView<ml_metadata::ArtifactType>)},
      {"execution_types",
       ListView(graph.execution_types(), TypeView<ml_metadata::ExecutionType>)},
      {"context_types",
       ListView(graph.context_types(), TypeView<ml_metadata::ContextType>)},
      {"artifacts",
       ListView(graph.artifacts(), NodeView<ml_metadata::Artifact>)},
      {"executions",
       ListView(graph.executions(), NodeView<ml_metadata::Execution>)},
      {"contexts", ListView(graph.contexts(), NodeView<ml_metadata::Context>)},
      {"events", ListView(graph.events(), EventView)},
      {"attributions", ListView(graph.attributions(), LinkView)},
      {"associations", ListView(graph.associations(), LinkView)},
      {"parent_contexts", ListView(graph.parent_contexts(), LinkView)},
  };
}

// One element of a response field, by its message type.
json ElementView(const Message& message) {
  if (const auto* node = dynamic_cast<const ml_metadata::Artifact*>(&message)) {
    return NodeView(*node);
  }
  if (const auto* node =
          dynamic_cast<const ml_metadata::Execution*>(&message)) {
    return NodeView(*node);
  }
  if (const auto* node = dynamic_cast<const ml_metadata::Context*>(&message)) {
    return NodeView(*node);
  }
  if (const auto* type =
          dynamic_cast<const ml_metadata::ArtifactType*>(&message)) {
    return TypeView(*type);
  }
  if (const auto* type =
          dynamic_cast<const ml_metadata::ExecutionType*>(&message)) {
    return TypeView(*type);
  }
  if (const auto* type =
          dynamic_cast<const ml_metadata::ContextType*>(&message)) {
    return TypeView(*type);
  }
  if (const auto* event = dynamic_cast<const ml_metadata::Event*>(&message)) {
    return EventView(*event);
  }
  if (const auto* graph =
          dynamic_cast<const ml_metadata::LineageGraph*>(&message)) {
    return LineageGraphView(*graph);
  }
  ADD_FAILURE() << "no view of " << message.GetTypeName();
  return nullptr;
}

// The response fields view.js reports: repeated ones always, singular ones
// when set.
json ResponseView(const Message& response) {
  static const auto* const kRepeated =
      new std::vector<std::string>{"artifacts",
                                   "executions",
                                   "contexts",
                                   "events",
                                   "artifact_types",
                                   "execution_types",
                                   "context_types",
                                   "endpoint_artifact_ids",
                                   "endpoint_execution_ids"};
  static const auto* const kSingular = new std::vector<std::string>{
      "next_page_token", "subgraph", "lineage_subgraph", "truncated",
      "hops_walked"};
  const Reflection* reflection = response.GetReflection();
  json view = json::object();
  for (const std::string& name : *kRepeated) {
    const FieldDescriptor* field =
        response.GetDescriptor()->FindFieldByName(name);
    if (field == nullptr) continue;
    json items = json::array();
    for (int i = 0; i < reflection->FieldSize(response, field); ++i) {
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        items.push_back(
            ElementView(reflection->GetRepeatedMessage(response, field, i)));
      } else {
        items.push_back(reflection->GetRepeatedInt64(response, field, i));
      }
    }
    view[name] = items;
  }
  for (const std::string& name : *kSingular) {
    const FieldDescriptor* field =
        response.GetDescriptor()->FindFieldByName(name);
    if (field == nullptr || !reflection->HasField(response, field)) continue;
    view[name] = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                     ? ElementView(reflection->GetMessage(response, field))
                     : ScalarOf(response, field);
  }
  return view;
}

// ---------------------------------------------------------------------------
// The plan: calls made both ways.

struct NativeAnswer {
  grpc::Status status;
  std::unique_ptr<Message> response;
};

enum class Expect { kNonEmpty, kEmpty, kError };

struct PlannedCall {
  std::string name;
  std::string service;       // "ml_metadata.MetadataStoreService"
  std::string method;        // "GetArtifacts"
  std::string request_type;  // "ml_metadata.GetArtifactsRequest"
  std::string request;       // serialized
  std::map<std::string, std::string> metadata;
  std::string format = "binary";
  bool follow_pages = false;
  Expect expect = Expect::kNonEmpty;
  // The same call over native gRPC; with `page_token` as the request's
  // options.next_page_token when not empty.
  std::function<NativeAnswer(const std::string& page_token)> native;
};

// The service and method of the RPC that takes `request_type`: each RPC of
// ours has a request type of its own.
std::pair<std::string, std::string> RpcOf(
    const google::protobuf::Descriptor* request_type) {
  for (const char* service_name :
       {"ml_metadata.MetadataStoreService", "mlmdx.LineageService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service_name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      if (service->method(i)->input_type() == request_type) {
        return {service_name, service->method(i)->name()};
      }
    }
  }
  ADD_FAILURE() << "no RPC takes " << request_type->full_name();
  return {};
}

class Plan {
 public:
  Plan() = default;
  // The planned calls' native halves point back into the plan.
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  // Adds a call of `rpc` on `stub` (which must outlive the plan).
  template <typename Stub, typename Request, typename Response>
  PlannedCall& Add(std::string name, Stub& stub,
                   grpc::Status (Stub::*rpc)(grpc::ClientContext*,
                                             const Request&, Response*),
                   const Request& request) {
    PlannedCall call;
    call.name = std::move(name);
    std::tie(call.service, call.method) = RpcOf(Request::descriptor());
    call.request_type = Request::descriptor()->full_name();
    call.request = request.SerializeAsString();
    calls_.push_back(std::move(call));
    const size_t index = calls_.size() - 1;
    calls_[index].native = [this, index, &stub, rpc,
                            request](const std::string& page_token) {
      Request paged = request;
      if (!page_token.empty()) {
        const FieldDescriptor* options =
            Request::descriptor()->FindFieldByName("options");
        Message* list_options =
            paged.GetReflection()->MutableMessage(&paged, options);
        list_options->GetReflection()->SetString(
            list_options,
            list_options->GetDescriptor()->FindFieldByName("next_page_token"),
            page_token);
      }
      grpc::ClientContext context;
      for (const auto& [key, value] : calls_[index].metadata) {
        context.AddMetadata(key, value);
      }
      auto response = std::make_unique<Response>();
      NativeAnswer answer;
      answer.status = (stub.*rpc)(&context, paged, response.get());
      answer.response = std::move(response);
      return answer;
    };
    return calls_[index];
  }

  const std::vector<PlannedCall>& calls() const { return calls_; }

  // One JSON object per line, as run_plan.js reads it.
  std::string ToJsonLines() const {
    std::string lines;
    for (const PlannedCall& call : calls_) {
      json line = {{"name", call.name},
                   {"service", call.service},
                   {"method", call.method},
                   {"request_type", call.request_type},
                   {"request", absl::Base64Escape(call.request)},
                   {"metadata", call.metadata},
                   {"format", call.format},
                   {"follow_pages", call.follow_pages}};
      absl::StrAppend(&lines, line.dump(), "\n");
    }
    return lines;
  }

 private:
  std::vector<PlannedCall> calls_;
};

// Runs `plan` with run_plan.js against grpc-web on `port`; returns its
// answer lines.
std::vector<json> RunInNode(const Plan& plan, int port) {
  // CTest runs the suite's tests in parallel processes.
  const std::string prefix = absl::StrCat(
      ::testing::TempDir(), "grpc_web_node_", getpid(), "_",
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const std::string plan_path = prefix + "_plan.jsonl";
  const std::string out_path = prefix + "_answers.jsonl";
  const std::string err_path = prefix + "_errors.txt";
  {
    std::ofstream out(plan_path, std::ios::trunc);
    out << plan.ToJsonLines();
  }
  const std::string command = absl::StrCat(
      "node ", kClientDir, "/run_plan.js --server http://127.0.0.1:", port,
      " --plan ", plan_path, " >", out_path, " 2>", err_path);
  const int status = std::system(command.c_str());
  EXPECT_EQ(status, 0) << command << "\n" << ReadWholeFile(err_path);
  std::vector<json> answers;
  std::ifstream in(out_path);
  for (std::string line; std::getline(in, line);) {
    answers.push_back(json::parse(line, nullptr, /*allow_exceptions=*/false));
    EXPECT_FALSE(answers.back().is_discarded()) << line;
  }
  return answers;
}

// Makes every call of `plan` over grpc-web from Node and natively, and
// expects the same answers, value by value; `answers` gets Node's.
void ExpectNodeAnswersAsNative(const Plan& plan, int port,
                               std::vector<json>& answers) {
  answers = RunInNode(plan, port);
  size_t next = 0;
  for (const PlannedCall& call : plan.calls()) {
    SCOPED_TRACE(call.name);
    std::string page_token;
    for (int page = 0;; ++page) {
      SCOPED_TRACE(absl::StrCat("page ", page));
      if (next >= answers.size()) {
        ADD_FAILURE() << "no answer from Node";
        return;
      }
      const json& answer = answers[next++];
      EXPECT_EQ(answer.value("name", ""), call.name);
      EXPECT_EQ(answer.value("page", -1), page);
      const NativeAnswer native = call.native(page_token);
      const bool ok = answer.value("ok", false);
      ASSERT_EQ(ok, native.status.ok())
          << "native: " << native.status.error_message()
          << "\nnode: " << answer.dump();
      if (!ok) {
        EXPECT_EQ(call.expect, Expect::kError);
        EXPECT_EQ(answer.value("code", -1),
                  static_cast<int>(native.status.error_code()));
        EXPECT_EQ(answer.value("message", ""), native.status.error_message());
        break;
      }
      EXPECT_NE(call.expect, Expect::kError);
      EXPECT_EQ(native.response->ByteSizeLong() > 0,
                call.expect == Expect::kNonEmpty)
          << native.response->ShortDebugString();
      // The message as google-protobuf re-serializes what it decoded.
      std::string bytes;
      ASSERT_TRUE(absl::Base64Unescape(answer.value("response", ""), &bytes));
      std::unique_ptr<Message> decoded(native.response->New());
      ASSERT_TRUE(decoded->ParseFromString(bytes));
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
          *decoded, *native.response))
          << "node: " << decoded->ShortDebugString()
          << "\nnative: " << native.response->ShortDebugString();
      // The values read through the generated getters.
      const json expected = ResponseView(*native.response);
      const json actual = answer.value("view", json::object());
      EXPECT_EQ(actual, expected) << "difference (native -> node): "
                                  << json::diff(expected, actual).dump();
      const FieldDescriptor* token_field =
          native.response->GetDescriptor()->FindFieldByName("next_page_token");
      page_token = token_field != nullptr
                       ? native.response->GetReflection()->GetString(
                             *native.response, token_field)
                       : "";
      if (!call.follow_pages || page_token.empty()) break;
    }
  }
  EXPECT_EQ(next, answers.size()) << "more answers than calls";
}

// ---------------------------------------------------------------------------
// The database: types with properties of every kind, nodes with properties
// and custom properties of every value kind, a three-step run with paths on
// its events, contexts with a parent, and a KFP run.

struct Seeded {
  int64_t rich_type = 0;
  int64_t step_type = 0;
  int64_t run_type = 0;
  std::vector<int64_t> artifacts;   // raw, features, model, metrics
  std::vector<int64_t> executions;  // ingest, transform, train
  int64_t run_context = 0;
  int64_t experiment_context = 0;
  KfpRun kfp;
};

ml_metadata::Value NestedStructValue() {
  return ParseTextProto<ml_metadata::Value>(R"pb(
    struct_value {
      fields {
        key: "layers"
        value {
          list_value {
            values { number_value: 64 }
            values { string_value: "relu" }
            values { bool_value: true }
            values { null_value: NULL_VALUE }
          }
        }
      }
      fields {
        key: "optimizer"
        value {
          struct_value {
            fields {
              key: "name"
              value { string_value: "adam" }
            }
            fields {
              key: "beta"
              value { number_value: 0.875 }
            }
          }
        }
      }
    }
  )pb");
}

ml_metadata::Value ProtoValue() {
  ml_metadata::Artifact packed;
  packed.set_uri("gs://bucket/packed");
  packed.set_type_id(7);
  ml_metadata::Value value;
  value.mutable_proto_value()->set_type_url(
      "type.googleapis.com/ml_metadata.Artifact");
  value.mutable_proto_value()->set_value(packed.SerializeAsString());
  return value;
}

// Every kind of value a property can hold, under the names of the rich
// type's properties.
void SetEveryKind(google::protobuf::Map<std::string, ml_metadata::Value>& map,
                  int64_t salt) {
  map["rows"] = IntValue(1000 + salt);
  map["ratio"] = DoubleValue(0.25 + static_cast<double>(salt) / 8);
  map["split"] = StringValue(absl::StrCat("train-", salt, " ü ✓"));
  map["schema"] = NestedStructValue();
  map["packed"] = ProtoValue();
  ml_metadata::Value flag;
  flag.set_bool_value(salt % 2 == 0);
  map["validated"] = flag;
}

Seeded Seed(MetadataStub& stub) {
  Seeded seeded;
  {
    ml_metadata::PutArtifactTypeRequest request;
    auto* type = request.mutable_artifact_type();
    type->set_name("RichArtifact");
    type->set_version("v2");
    type->set_description("one property of every kind");
    using ml_metadata::PropertyType;
    (*type->mutable_properties())["rows"] = PropertyType::INT;
    (*type->mutable_properties())["ratio"] = PropertyType::DOUBLE;
    (*type->mutable_properties())["split"] = PropertyType::STRING;
    (*type->mutable_properties())["schema"] = PropertyType::STRUCT;
    (*type->mutable_properties())["packed"] = PropertyType::PROTO;
    (*type->mutable_properties())["validated"] = PropertyType::BOOLEAN;
    ml_metadata::PutArtifactTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(stub, PutArtifactType, request, response), IsOk());
    seeded.rich_type = response.type_id();
  }
  {
    ml_metadata::PutExecutionTypeRequest request;
    request.mutable_execution_type()->set_name("Step");
    (*request.mutable_execution_type()->mutable_properties())["attempt"] =
        ml_metadata::PropertyType::INT;
    ml_metadata::PutExecutionTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(stub, PutExecutionType, request, response), IsOk());
    seeded.step_type = response.type_id();
  }
  {
    ml_metadata::PutContextTypeRequest request;
    request.mutable_context_type()->set_name("Run");
    (*request.mutable_context_type()->mutable_properties())["owner"] =
        ml_metadata::PropertyType::STRING;
    ml_metadata::PutContextTypeResponse response;
    EXPECT_THAT(MLMDX_CALL(stub, PutContextType, request, response), IsOk());
    seeded.run_type = response.type_id();
  }
  {
    ml_metadata::PutContextsRequest request;
    auto* experiment = request.add_contexts();
    experiment->set_type_id(seeded.run_type);
    experiment->set_name("experiment-1");
    (*experiment->mutable_properties())["owner"] = StringValue("alice");
    auto* run = request.add_contexts();
    run->set_type_id(seeded.run_type);
    run->set_name("run-1");
    run->set_external_id("run-ext-1");
    SetEveryKind(*run->mutable_custom_properties(), 9);
    ml_metadata::PutContextsResponse response;
    EXPECT_THAT(MLMDX_CALL(stub, PutContexts, request, response), IsOk());
    EXPECT_EQ(response.context_ids_size(), 2);
    seeded.experiment_context = response.context_ids(0);
    seeded.run_context = response.context_ids(1);
    ml_metadata::PutParentContextsRequest parents;
    auto* link = parents.add_parent_contexts();
    link->set_child_id(seeded.run_context);
    link->set_parent_id(seeded.experiment_context);
    ml_metadata::PutParentContextsResponse ignored;
    EXPECT_THAT(MLMDX_CALL(stub, PutParentContexts, parents, ignored), IsOk());
  }
  // raw -> ingest -> features -> transform -> model -> train -> metrics,
  // each step one PutExecution in the run's context.
  // The previous step's output, whole: an artifact sent with its id is
  // updated to what is sent.
  ml_metadata::Artifact input;
  const std::vector<std::string> steps = {"ingest", "transform", "train"};
  for (size_t i = 0; i < steps.size(); ++i) {
    ml_metadata::PutExecutionRequest request;
    auto* execution = request.mutable_execution();
    execution->set_type_id(seeded.step_type);
    execution->set_name(steps[i]);
    execution->set_last_known_state(ml_metadata::Execution::COMPLETE);
    (*execution->mutable_properties())["attempt"] = IntValue(i + 1);
    SetEveryKind(*execution->mutable_custom_properties(),
                 static_cast<int64_t>(i));
    auto* in = request.add_artifact_event_pairs();
    if (i == 0) {
      auto* raw = in->mutable_artifact();
      raw->set_type_id(seeded.rich_type);
      raw->set_uri("s3://lake/raw");
      raw->set_name("raw");
      raw->set_state(ml_metadata::Artifact::LIVE);
      SetEveryKind(*raw->mutable_properties(), 100);
    } else {
      *in->mutable_artifact() = input;
    }
    in->mutable_event()->set_type(ml_metadata::Event::INPUT);
    in->mutable_event()->mutable_path()->add_steps()->set_key("examples");
    in->mutable_event()->mutable_path()->add_steps()->set_index(0);
    auto* out = request.add_artifact_event_pairs();
    auto* produced = out->mutable_artifact();
    produced->set_type_id(seeded.rich_type);
    produced->set_uri(absl::StrCat("s3://lake/", steps[i], "/out"));
    produced->set_name(absl::StrCat(steps[i], "-out"));
    produced->set_external_id(absl::StrCat("ext-", steps[i]));
    produced->set_state(i == 2 ? ml_metadata::Artifact::PENDING
                               : ml_metadata::Artifact::LIVE);
    SetEveryKind(*produced->mutable_properties(), static_cast<int64_t>(i));
    SetEveryKind(*produced->mutable_custom_properties(),
                 static_cast<int64_t>(10 + i));
    out->mutable_event()->set_type(ml_metadata::Event::OUTPUT);
    out->mutable_event()->mutable_path()->add_steps()->set_key("result");
    out->mutable_event()->set_milliseconds_since_epoch(1700000000000 + i);
    request.add_contexts()->set_id(seeded.run_context);
    request.mutable_options()->set_force_reuse_context(true);
    ml_metadata::PutExecutionResponse response;
    EXPECT_THAT(MLMDX_CALL(stub, PutExecution, request, response), IsOk());
    if (response.artifact_ids_size() != 2) {
      ADD_FAILURE() << "PutExecution: " << response.ShortDebugString();
      return seeded;
    }
    if (i == 0) seeded.artifacts.push_back(response.artifact_ids(0));
    seeded.artifacts.push_back(response.artifact_ids(1));
    seeded.executions.push_back(response.execution_id());
    input = *produced;
    input.set_id(response.artifact_ids(1));
  }
  KfpRecorder kfp(stub);
  absl::StatusOr<KfpRun> run = kfp.RecordRun({.name = "kfp-run-a"});
  EXPECT_THAT(run.status(), IsOk());
  if (run.ok()) seeded.kfp = *run;
  return seeded;
}

class GrpcWebNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveNode()) {
      GTEST_SKIP() << "node is not installed (apt-get install nodejs npm)";
    }
    ASSERT_EQ(std::system(absl::StrCat("test -f ", kClientDir,
                                       "/generated/mlmdx/"
                                       "lineage_service_grpc_web_pb.js")
                              .c_str()),
              0)
        << "no generated grpc-web client in " << kClientDir
        << ": the CTest fixture grpc_web_node_client.setup prepares it "
           "(tests/grpc_web_client/setup.sh)";
  }

  void StartServer(std::vector<std::string> flags = {}) {
    flags.push_back("--grpc_web_port=0");
    ASSERT_THAT(server_.Start(flags), IsOk());
    port_ = LoggedGrpcWebPort(server_.Log());
    ASSERT_GT(port_, 0) << server_.Log();
    stub_ = server_.NewStub();
    lineage_stub_ = ::mlmdx::LineageService::NewStub(grpc::CreateChannel(
        server_.address(), grpc::InsecureChannelCredentials()));
  }

  TestServer server_;
  int port_ = 0;
  std::unique_ptr<MetadataStub> stub_;
  std::unique_ptr<LineageStub> lineage_stub_;
};

// Every call of the KFP UI's artifact and lineage pages, MLMD's two lineage
// RPCs and QueryLineage, as the generated JavaScript client makes them:
// the same messages and values as native gRPC, in the binary and the text
// formats.
TEST_F(GrpcWebNodeTest, KfpUiAndLineageCallsAnswerAsNativeGrpc) {
  StartServer();
  const Seeded seeded = Seed(*stub_);
  ASSERT_EQ(seeded.artifacts.size(), 4u);
  Plan plan;
  MetadataStub& stub = *stub_;

  plan.Add("GetArtifactTypes", stub, &MetadataStub::GetArtifactTypes,
           ml_metadata::GetArtifactTypesRequest());
  plan.Add("GetArtifacts", stub, &MetadataStub::GetArtifacts,
           ml_metadata::GetArtifactsRequest());
  ml_metadata::GetArtifactsByIDRequest by_id;
  for (int64_t id : seeded.artifacts) by_id.add_artifact_ids(id);
  by_id.add_artifact_ids(seeded.kfp.model_id);
  plan.Add("GetArtifactsByID", stub, &MetadataStub::GetArtifactsByID, by_id);
  by_id.set_populate_artifact_types(true);
  plan.Add("GetArtifactsByID with types", stub, &MetadataStub::GetArtifactsByID,
           by_id);
  ml_metadata::GetArtifactTypesByIDRequest types_by_id;
  types_by_id.add_type_ids(seeded.rich_type);
  plan.Add("GetArtifactTypesByID", stub, &MetadataStub::GetArtifactTypesByID,
           types_by_id);
  ml_metadata::GetEventsByArtifactIDsRequest events_by_artifact;
  for (int64_t id : seeded.artifacts) events_by_artifact.add_artifact_ids(id);
  plan.Add("GetEventsByArtifactIDs", stub,
           &MetadataStub::GetEventsByArtifactIDs, events_by_artifact);
  ml_metadata::GetEventsByExecutionIDsRequest events_by_execution;
  for (int64_t id : seeded.executions) {
    events_by_execution.add_execution_ids(id);
  }
  events_by_execution.add_execution_ids(seeded.kfp.train_id);
  plan.Add("GetEventsByExecutionIDs", stub,
           &MetadataStub::GetEventsByExecutionIDs, events_by_execution);
  ml_metadata::GetExecutionsByIDRequest executions_by_id;
  for (int64_t id : seeded.executions) executions_by_id.add_execution_ids(id);
  executions_by_id.add_execution_ids(seeded.kfp.train_id);
  plan.Add("GetExecutionsByID", stub, &MetadataStub::GetExecutionsByID,
           executions_by_id);
  plan.Add("GetExecutionTypes", stub, &MetadataStub::GetExecutionTypes,
           ml_metadata::GetExecutionTypesRequest());
  ml_metadata::GetContextsByArtifactRequest contexts;
  contexts.set_artifact_id(seeded.artifacts[2]);
  plan.Add("GetContextsByArtifact", stub, &MetadataStub::GetContextsByArtifact,
           contexts);
  contexts.set_artifact_id(seeded.kfp.model_id);
  plan.Add("GetContextsByArtifact (KFP)", stub,
           &MetadataStub::GetContextsByArtifact, contexts);
  ml_metadata::GetArtifactsByURIRequest by_uri;
  by_uri.add_uris("s3://lake/train/out");
  by_uri.add_uris(seeded.kfp.model_uri);
  plan.Add("GetArtifactsByURI", stub, &MetadataStub::GetArtifactsByURI, by_uri);

  ml_metadata::GetLineageGraphRequest graph;
  graph.mutable_options()->mutable_artifacts_options()->set_filter_query(
      "uri = 's3://lake/raw'");
  graph.mutable_options()->mutable_stop_conditions()->set_max_num_hops(4);
  plan.Add("GetLineageGraph", stub, &MetadataStub::GetLineageGraph, graph);
  ml_metadata::GetLineageSubgraphRequest subgraph;
  auto* options = subgraph.mutable_lineage_subgraph_query_options();
  options->mutable_starting_artifacts()->set_filter_query(
      "uri = 's3://lake/train/out'");
  options->set_max_num_hops(10);
  options->set_direction(ml_metadata::LineageSubgraphQueryOptions::UPSTREAM);
  plan.Add("GetLineageSubgraph", stub, &MetadataStub::GetLineageSubgraph,
           subgraph);
  subgraph.mutable_read_mask()->add_paths("artifacts");
  subgraph.mutable_read_mask()->add_paths("events");
  plan.Add("GetLineageSubgraph with read mask", stub,
           &MetadataStub::GetLineageSubgraph, subgraph);

  ::mlmdx::QueryLineageRequest query;
  query.set_start_artifacts_filter(absl::StrCat("id = ", seeded.artifacts[3]));
  query.set_direction(::mlmdx::QueryLineageRequest::UPSTREAM);
  plan.Add("QueryLineage", *lineage_stub_, &LineageStub::QueryLineage, query);
  query.set_output(::mlmdx::QueryLineageRequest::ENDPOINTS);
  query.set_endpoint_artifacts_filter("name = 'raw'");
  plan.Add("QueryLineage endpoints", *lineage_stub_, &LineageStub::QueryLineage,
           query);

  // The text format (application/grpc-web-text), as some clients use it.
  plan.Add("GetArtifactsByID as text", stub, &MetadataStub::GetArtifactsByID,
           by_id)
      .format = "text";
  plan.Add("GetLineageSubgraph as text", stub,
           &MetadataStub::GetLineageSubgraph, subgraph)
      .format = "text";

  std::vector<json> answers;
  ExpectNodeAnswersAsNative(plan, port_, answers);
  ASSERT_EQ(answers.size(), plan.calls().size());
  // Spot checks that the plan reached what it means to: all four seeded
  // artifacts and the KFP model by id, with their every-kind properties.
  const json& artifacts = answers[2]["view"]["artifacts"];
  ASSERT_EQ(artifacts.size(), 5u);
  EXPECT_EQ(artifacts[0]["uri"], "s3://lake/raw");
  EXPECT_EQ(artifacts[0]["properties"]["rows"]["int_value"], 1100);
  EXPECT_EQ(artifacts[0]["properties"]["schema"]["struct_value"]["optimizer"]
                     ["struct_value"]["beta"]["number_value"],
            0.875);
}

// Error answers reach the JavaScript client with native gRPC's code and
// message, and unknown ids answer empty, as natively.
TEST_F(GrpcWebNodeTest, ErrorsAndUnknownIdsAnswerAsNativeGrpc) {
  StartServer();
  const Seeded seeded = Seed(*stub_);
  Plan plan;
  MetadataStub& stub = *stub_;

  ml_metadata::GetArtifactsByIDRequest unknown_ids;
  unknown_ids.add_artifact_ids(987654);
  unknown_ids.add_artifact_ids(987655);
  plan.Add("GetArtifactsByID of unknown ids", stub,
           &MetadataStub::GetArtifactsByID, unknown_ids)
      .expect = Expect::kEmpty;
  ml_metadata::GetArtifactsByIDRequest some_unknown;
  some_unknown.add_artifact_ids(seeded.artifacts[0]);
  some_unknown.add_artifact_ids(987654);
  plan.Add("GetArtifactsByID with an unknown id", stub,
           &MetadataStub::GetArtifactsByID, some_unknown);
  ml_metadata::GetEventsByExecutionIDsRequest no_events;
  no_events.add_execution_ids(987654);
  plan.Add("GetEventsByExecutionIDs of an unknown id", stub,
           &MetadataStub::GetEventsByExecutionIDs, no_events)
      .expect = Expect::kEmpty;
  ml_metadata::GetArtifactTypesByIDRequest no_types;
  no_types.add_type_ids(987654);
  plan.Add("GetArtifactTypesByID of an unknown id", stub,
           &MetadataStub::GetArtifactTypesByID, no_types)
      .expect = Expect::kEmpty;
  ml_metadata::GetArtifactsByURIRequest no_uri;
  no_uri.add_uris("s3://nowhere");
  plan.Add("GetArtifactsByURI of an unknown uri", stub,
           &MetadataStub::GetArtifactsByURI, no_uri)
      .expect = Expect::kEmpty;

  ml_metadata::GetArtifactsRequest bad_filter;
  bad_filter.mutable_options()->set_filter_query("uri = = 'x'");
  plan.Add("GetArtifacts with a bad filter", stub, &MetadataStub::GetArtifacts,
           bad_filter)
      .expect = Expect::kError;
  PlannedCall& bad_filter_as_text =
      plan.Add("GetArtifacts with a bad filter as text", stub,
               &MetadataStub::GetArtifacts, bad_filter);
  bad_filter_as_text.format = "text";
  bad_filter_as_text.expect = Expect::kError;
  ml_metadata::GetArtifactTypeRequest missing_type;
  missing_type.set_type_name("NoSuchType");
  plan.Add("GetArtifactType of an unknown name", stub,
           &MetadataStub::GetArtifactType, missing_type)
      .expect = Expect::kError;
  ml_metadata::GetLineageSubgraphRequest no_start;
  plan.Add("GetLineageSubgraph without a start", stub,
           &MetadataStub::GetLineageSubgraph, no_start)
      .expect = Expect::kError;
  ::mlmdx::QueryLineageRequest no_match;
  no_match.set_start_artifacts_filter("uri = 's3://nowhere'");
  plan.Add("QueryLineage from nothing", *lineage_stub_,
           &LineageStub::QueryLineage, no_match)
      .expect = Expect::kError;

  std::vector<json> answers;
  ExpectNodeAnswersAsNative(plan, port_, answers);
  ASSERT_EQ(answers.size(), plan.calls().size());
  EXPECT_EQ(answers[5]["code"], 3);  // INVALID_ARGUMENT
  EXPECT_EQ(answers[7]["code"], 5);  // NOT_FOUND
}

// A page smaller than the listing: run_plan.js follows next_page_token
// with the generated setters, page by page, and each page is native's.
TEST_F(GrpcWebNodeTest, PagesFollowNextPageToken) {
  StartServer();
  const Seeded seeded = Seed(*stub_);
  Plan plan;
  ml_metadata::GetArtifactsRequest paged;
  paged.mutable_options()->set_max_result_size(3);
  paged.mutable_options()->mutable_order_by_field()->set_field(
      ml_metadata::ListOperationOptions::OrderByField::ID);
  paged.mutable_options()->mutable_order_by_field()->set_is_asc(false);
  plan.Add("GetArtifacts by pages", *stub_, &MetadataStub::GetArtifacts, paged)
      .follow_pages = true;
  ml_metadata::GetArtifactsRequest filtered = paged;
  filtered.mutable_options()->set_filter_query("type = 'RichArtifact'");
  plan.Add("GetArtifacts of a type by pages", *stub_,
           &MetadataStub::GetArtifacts, filtered)
      .follow_pages = true;

  std::vector<json> answers;
  ExpectNodeAnswersAsNative(plan, port_, answers);
  const int64_t total = server_.QueryInt("SELECT COUNT(*) FROM Artifact");
  ASSERT_GT(total, 6);
  std::set<int64_t> seen;
  size_t pages = 0;
  for (const json& answer : answers) {
    if (answer["name"] != "GetArtifacts by pages") continue;
    ++pages;
    for (const json& artifact : answer["view"]["artifacts"]) {
      EXPECT_TRUE(seen.insert(artifact["id"].get<int64_t>()).second);
    }
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
  EXPECT_EQ(pages, static_cast<size_t>((total + 2) / 3));
  EXPECT_EQ(answers.size(), pages + 2);  // The 4 RichArtifacts: 2 pages.
}

// With --auth_token_file: no token is UNAUTHENTICATED for the JavaScript
// client as for a native one; the token as `authorization: Bearer` metadata
// is let in.
TEST_F(GrpcWebNodeTest, TokensTravelAsMetadata) {
  const std::string tokens = ::testing::TempDir() + "grpc_web_node_tokens.csv";
  {
    std::ofstream out(tokens, std::ios::trunc);
    out << "node-secret,alice,u-1,*\n";
  }
  StartServer({"--auth_token_file=" + tokens});
  ASSERT_THAT(PutArtifactTypeWithToken(server_, "node-secret", "Model"),
              IsOk());
  Plan plan;
  plan.Add("without a token", *stub_, &MetadataStub::GetArtifactTypes,
           ml_metadata::GetArtifactTypesRequest())
      .expect = Expect::kError;
  PlannedCall& wrong =
      plan.Add("with a wrong token", *stub_, &MetadataStub::GetArtifactTypes,
               ml_metadata::GetArtifactTypesRequest());
  wrong.expect = Expect::kError;
  wrong.metadata["authorization"] = "Bearer nope";
  plan.Add("with the token", *stub_, &MetadataStub::GetArtifactTypes,
           ml_metadata::GetArtifactTypesRequest())
      .metadata["authorization"] = "Bearer node-secret";

  std::vector<json> answers;
  ExpectNodeAnswersAsNative(plan, port_, answers);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["code"], 16);
  EXPECT_EQ(answers[1]["code"], 16);
  EXPECT_EQ(answers[2]["view"]["artifact_types"][0]["name"], "Model");
}

}  // namespace
}  // namespace mlmdx::testing
