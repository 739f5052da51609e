#include "server/call_interceptor.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// The grpc_type label values of the Go gRPC middleware.
absl::string_view TypeName(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unary";
}

// "/ml_metadata.MetadataStoreService/GetArtifacts" -> "GetArtifacts".
absl::string_view ShortName(absl::string_view full_method) {
  const size_t slash = full_method.rfind('/');
  return slash == absl::string_view::npos ? full_method
                                          : full_method.substr(slash + 1);
}

// One per call, so its state is the call's.
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(ServerRpcInfo* info, ServerMetrics* metrics)
      : full_method_(info->method() == nullptr ? "" : info->method()),
        type_(TypeName(info->type())),
        metrics_(metrics),
        start_(absl::Now()) {
    if (metrics_ != nullptr) metrics_->ObserveStart(full_method_, type_);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      request_unparsable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (request_unparsable_ &&
          methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat("The request to ", full_method_,
                         " is not a valid protocol buffer message of its "
                         "request type (truncated, malformed or nested too "
                         "deeply)")));
      }
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Finish(const grpc::Status& status) {
    const absl::Duration latency = absl::Now() - start_;
    const std::string code = absl::StatusCodeToString(
        static_cast<absl::StatusCode>(status.error_code()));
    if (metrics_ != nullptr) {
      metrics_->ObserveCall(full_method_, type_, code, latency);
    }
    if (!status.ok()) {
      LogRequest(LogLevel::kWarning, ShortName(full_method_), code,
                 absl::ToDoubleMilliseconds(latency), status.error_message());
    }
  }

  const std::string full_method_;
  const absl::string_view type_;
  ServerMetrics* const metrics_;
  const absl::Time start_;
  bool request_unparsable_ = false;
};

class CallInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(ServerMetrics* metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      ServerRpcInfo* info) override {
    return new CallInterceptor(info, metrics_);
  }

 private:
  ServerMetrics* const metrics_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallInterceptorFactory(ServerMetrics* metrics) {
  return std::make_unique<CallInterceptorFactory>(metrics);
}

}  // namespace mlmdx::server
