// File: server/metrics.h
// -----------------------------------------------------------------------------
//
// ServerMetrics serves the server's metrics in Prometheus' text format at
// http://<address>:<port>/metrics, and a liveness answer at /healthz (200
// "ok" while the server serves, 503 once it is shutting down), from one
// HTTP listener (prometheus-cpp's Exposer, over civetweb).
//
// What it reports:
//   grpc_server_started_total, grpc_server_handled_total (with grpc_code)
//   and the grpc_server_handling_seconds histogram, labelled grpc_service,
//   grpc_method and grpc_type as the Go gRPC middleware labels them, fed by
//   ObserveCall from the server's call interceptor;
//   the lineage index's size (mlmdx_lineage_index_nodes{kind},
//   mlmdx_lineage_index_events, mlmdx_lineage_index_bytes) and the store's
//   connection pool (mlmdx_store_connections{state}, _max) and write queue
//   (mlmdx_store_queued_writes), read when scraped;
//   mlmdx_store_commit_seconds and mlmdx_store_commit_batch_writes
//   histograms, fed by the store's committer (store::CommitObserver).
//
// Thread-safety: thread-safe.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(auto metrics,
//                          ServerMetrics::Start("0.0.0.0", 9090, store,
//                          engine));
//   store->SetCommitObserver(metrics.get());
//   LogInfo(absl::StrCat("metrics on port ", metrics->port()));

#ifndef MLMDX_SERVER_METRICS_H_
#define MLMDX_SERVER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/lineage_engine.h"
#include "store/commit_observer.h"
#include "store/metadata_store.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace mlmdx::server {

class ServerMetrics : public store::CommitObserver {
 public:
  // Starts serving on `listen_address`:`port` (0 picks a free port, see
  // port()). `store` and `lineage` are read on every scrape and must
  // outlive the returned object. UNAVAILABLE naming the port and
  // --metrics_port when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<ServerMetrics>> Start(
      const std::string& listen_address, int port, store::MetadataStore* store,
      const engine::LineageEngine* lineage);

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;
  // Stops the HTTP listener.
  ~ServerMetrics() override;

  // The port the listener is bound to.
  int port() const { return port_; }

  // /healthz answers 200 while `serving`, 503 otherwise (the initial state).
  void SetServing(bool serving);

  // Counts one call as started. `full_method` is gRPC's
  // "/package.Service/Method"; `type` one of "unary", "client_stream",
  // "server_stream", "bidi_stream".
  void ObserveStart(absl::string_view full_method, absl::string_view type);
  // Counts one finished call with its status code name ("OK",
  // "NOT_FOUND", ...) and how long it took.
  void ObserveCall(absl::string_view full_method, absl::string_view type,
                   absl::string_view code, absl::Duration latency);

  // store::CommitObserver.
  void OnCommit(absl::Duration commit_duration, int writes) override;

 private:
  class StateCollector;
  // The series of one method (they depend only on its name and type).
  struct MethodSeries;

  ServerMetrics();
  MethodSeries& SeriesFor(absl::string_view full_method,
                          absl::string_view type);

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<StateCollector> state_;
  prometheus::Family<prometheus::Counter>* started_ = nullptr;
  prometheus::Family<prometheus::Counter>* handled_ = nullptr;
  prometheus::Family<prometheus::Histogram>* handling_seconds_ = nullptr;
  prometheus::Histogram* commit_seconds_ = nullptr;
  prometheus::Histogram* commit_batch_writes_ = nullptr;
  absl::Mutex series_mutex_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> series_
      ABSL_GUARDED_BY(series_mutex_);
  // Declared last: destroyed first, so that no scrape or health check runs
  // while the rest goes away.
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace mlmdx::server

#endif  // MLMDX_SERVER_METRICS_H_
