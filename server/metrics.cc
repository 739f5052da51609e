#include "server/metrics.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "util/log.h"

namespace mlmdx::server {
namespace {

// What /healthz answers. civetweb's request callback carries no pointer of
// ours, and a process runs one server, so the state is the process's.
std::atomic<bool> serving{false};

// civetweb's begin_request callback: answers /healthz itself and leaves
// every other path (the Exposer's /metrics) to civetweb's handlers. A
// non-zero return is the status code it sent.
int AnswerHealth(mg_connection* connection) {
  const mg_request_info* request = mg_get_request_info(connection);
  if (request == nullptr || request->local_uri == nullptr ||
      std::strcmp(request->local_uri, "/healthz") != 0) {
    return 0;
  }
  if (!serving.load()) {
    static constexpr char kBody[] = "shutting down\n";
    mg_printf(connection,
              "HTTP/1.1 503 Service Unavailable\r\n"
              "Content-Type: text/plain\r\n"
              "Content-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              sizeof(kBody) - 1);
    mg_write(connection, kBody, sizeof(kBody) - 1);
    return 503;
  }
  static constexpr char kBody[] = "ok\n";
  mg_send_http_ok(connection, "text/plain", sizeof(kBody) - 1);
  mg_write(connection, kBody, sizeof(kBody) - 1);
  return 200;
}

// civetweb's own messages (a failed request, say) go through the server's
// logger, so that they share its format.
int LogHttpMessage(const mg_connection* /*connection*/, const char* message) {
  LogWarning(absl::StrCat("metrics listener: ", message));
  return 1;
}

// "/ml_metadata.MetadataStoreService/GetArtifacts" as the service
// "ml_metadata.MetadataStoreService" and the method "GetArtifacts".
std::pair<std::string, std::string> SplitMethod(absl::string_view full) {
  if (!full.empty() && full.front() == '/') full.remove_prefix(1);
  const size_t slash = full.rfind('/');
  if (slash == absl::string_view::npos) return {"", std::string(full)};
  return {std::string(full.substr(0, slash)),
          std::string(full.substr(slash + 1))};
}

prometheus::ClientMetric GaugeValue(double value) {
  prometheus::ClientMetric metric;
  metric.gauge.value = value;
  return metric;
}

prometheus::ClientMetric GaugeValue(double value, const std::string& label,
                                    const std::string& label_value) {
  prometheus::ClientMetric metric = GaugeValue(value);
  metric.label.push_back({label, label_value});
  return metric;
}

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help,
                               std::vector<prometheus::ClientMetric> values) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  family.metric = std::move(values);
  return family;
}

}  // namespace

// Reads the store's and the lineage index's state when scraped, so that
// nothing on the request path pays for these gauges.
class ServerMetrics::StateCollector : public prometheus::Collectable {
 public:
  StateCollector(store::MetadataStore* store,
                 const engine::LineageEngine* lineage)
      : store_(store), lineage_(lineage) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    const lineage::GraphIndex::Stats index = lineage_->index().stats();
    const store::MetadataStore::PoolStats pool = store_->pool_stats();
    std::vector<prometheus::MetricFamily> families;
    families.push_back(
        Gauge("mlmdx_lineage_index_nodes",
              "Artifacts and executions in the lineage index (endpoints of "
              "at least one event)",
              {GaugeValue(index.artifacts, "kind", "artifact"),
               GaugeValue(index.executions, "kind", "execution")}));
    families.push_back(Gauge("mlmdx_lineage_index_events",
                             "Events in the lineage index",
                             {GaugeValue(index.events)}));
    families.push_back(Gauge("mlmdx_lineage_index_bytes",
                             "Heap bytes held by the lineage index",
                             {GaugeValue(index.memory_bytes)}));
    families.push_back(
        Gauge("mlmdx_store_connections", "Open database connections, by state",
              {GaugeValue(pool.open - pool.idle, "state", "in_use"),
               GaugeValue(pool.idle, "state", "idle")}));
    families.push_back(Gauge("mlmdx_store_connections_max",
                             "Most database connections the pool opens",
                             {GaugeValue(pool.limit)}));
    families.push_back(Gauge("mlmdx_store_queued_writes",
                             "Writes waiting for the group committer",
                             {GaugeValue(store_->queued_writes())}));
    return families;
  }

 private:
  store::MetadataStore* const store_;
  const engine::LineageEngine* const lineage_;
};

struct ServerMetrics::MethodSeries {
  prometheus::Counter* started = nullptr;
  prometheus::Histogram* handling_seconds = nullptr;
  // grpc_server_handled_total by code name, made on first use so that
  // only the codes a method answered are listed.
  absl::flat_hash_map<std::string, prometheus::Counter*> handled;
  std::string service;
  std::string method;
  std::string type;
};

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()) {
  started_ = &prometheus::BuildCounter()
                  .Name("grpc_server_started_total")
                  .Help("RPCs started on the server")
                  .Register(*registry_);
  handled_ = &prometheus::BuildCounter()
                  .Name("grpc_server_handled_total")
                  .Help("RPCs completed on the server, by status code")
                  .Register(*registry_);
  handling_seconds_ =
      &prometheus::BuildHistogram()
           .Name("grpc_server_handling_seconds")
           .Help("Time from the start of an RPC to its status being sent")
           .Register(*registry_);
  commit_seconds_ =
      &prometheus::BuildHistogram()
           .Name("mlmdx_store_commit_seconds")
           .Help("Time the database took to COMMIT a write transaction")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                        0.025, 0.05, 0.1, 0.25, 0.5, 1});
  commit_batch_writes_ =
      &prometheus::BuildHistogram()
           .Name("mlmdx_store_commit_batch_writes")
           .Help(
               "Write calls committed together in one transaction (group "
               "commit)")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32,
                                                            64});
}

ServerMetrics::~ServerMetrics() { exposer_.reset(); }

absl::StatusOr<std::unique_ptr<ServerMetrics>> ServerMetrics::Start(
    const std::string& listen_address, int port, store::MetadataStore* store,
    const engine::LineageEngine* lineage) {
  std::unique_ptr<ServerMetrics> metrics(new ServerMetrics());
  metrics->state_ = std::make_shared<StateCollector>(store, lineage);
  std::string address = listen_address;
  if (address.find(':') != std::string::npos && address.front() != '[') {
    address = absl::StrCat("[", address, "]");
  }
  const std::string bind = absl::StrCat(address, ":", port);
  CivetCallbacks callbacks;
  callbacks.begin_request = &AnswerHealth;
  callbacks.log_message = &LogHttpMessage;
  // The Exposer reports a port it cannot bind by throwing; caught here, at
  // the library's boundary.
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(
        bind, /*num_threads=*/2, &callbacks);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve metrics on ", bind, " (--metrics_port=", port,
        "): the address is in use or not available (", e.what(), ")"));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(metrics->state_);
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", bind,
                                               " (--metrics_port=", port,
                                               "): no port is listening"));
  }
  metrics->port_ = ports.front();
  return metrics;
}

void ServerMetrics::SetServing(bool is_serving) { serving.store(is_serving); }

ServerMetrics::MethodSeries& ServerMetrics::SeriesFor(
    absl::string_view full_method, absl::string_view type) {
  const std::string key = absl::StrCat(full_method, " ", type);
  {
    absl::ReaderMutexLock lock(&series_mutex_);
    auto it = series_.find(key);
    if (it != series_.end()) return *it->second;
  }
  absl::MutexLock lock(&series_mutex_);
  std::unique_ptr<MethodSeries>& series = series_[key];
  if (series == nullptr) {
    series = std::make_unique<MethodSeries>();
    std::tie(series->service, series->method) = SplitMethod(full_method);
    series->type = std::string(type);
    const std::map<std::string, std::string> labels = {
        {"grpc_service", series->service},
        {"grpc_method", series->method},
        {"grpc_type", series->type}};
    series->started = &started_->Add(labels);
    // The Go gRPC middleware's default buckets, plus finer ones below 5 ms,
    // where most of this server's calls end.
    series->handling_seconds = &handling_seconds_->Add(
        labels, prometheus::Histogram::BucketBoundaries{
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                    0.5, 1, 2.5, 5, 10});
  }
  return *series;
}

void ServerMetrics::ObserveStart(absl::string_view full_method,
                                 absl::string_view type) {
  SeriesFor(full_method, type).started->Increment();
}

void ServerMetrics::ObserveCall(absl::string_view full_method,
                                absl::string_view type, absl::string_view code,
                                absl::Duration latency) {
  MethodSeries& series = SeriesFor(full_method, type);
  prometheus::Counter* handled = nullptr;
  {
    absl::ReaderMutexLock lock(&series_mutex_);
    auto it = series.handled.find(code);
    if (it != series.handled.end()) handled = it->second;
  }
  if (handled == nullptr) {
    absl::MutexLock lock(&series_mutex_);
    prometheus::Counter*& slot = series.handled[std::string(code)];
    if (slot == nullptr) {
      slot = &handled_->Add({{"grpc_service", series.service},
                             {"grpc_method", series.method},
                             {"grpc_type", series.type},
                             {"grpc_code", std::string(code)}});
    }
    handled = slot;
  }
  handled->Increment();
  series.handling_seconds->Observe(absl::ToDoubleSeconds(latency));
}

void ServerMetrics::OnCommit(absl::Duration commit_duration, int writes) {
  commit_seconds_->Observe(absl::ToDoubleSeconds(commit_duration));
  commit_batch_writes_->Observe(writes);
}

}  // namespace mlmdx::server
