// File: store/internal/rpc_macros.h
// -----------------------------------------------------------------------------
//
// MLMDX_STORE_READ_RPC(Name, { body }) / MLMDX_STORE_WRITE_RPC(Name, { body })
// define MetadataStore::Name: the body runs in one read (or read-write)
// transaction with `request`, `access` (internal::RecordAccess) and a fresh
// `result` response in scope, and `result` becomes the response only once
// the transaction committed. The body may run more than once (a write that
// lost a race is retried); `result` is cleared before each run. Used only
// inside store/*.cc.

#ifndef MLMDX_STORE_INTERNAL_RPC_MACROS_H_
#define MLMDX_STORE_INTERNAL_RPC_MACROS_H_

#define MLMDX_STORE_RPC(Name, Mode, ...)                                      \
  absl::Status MetadataStore::Name(const ml_metadata::Name##Request& request, \
                                   ml_metadata::Name##Response* response) {   \
    response->Clear();                                                        \
    ml_metadata::Name##Response result;                                       \
    MLMDX_RETURN_IF_ERROR(                                                    \
        Transact(TransactionMode::Mode,                                       \
                 [&](internal::RecordAccess& access) -> absl::Status {        \
                   result.Clear(); /* A retried attempt starts over. */       \
                   return [&]() -> absl::Status __VA_ARGS__();                \
                 }));                                                         \
    *response = std::move(result);                                            \
    return absl::OkStatus();                                                  \
  }

#define MLMDX_STORE_READ_RPC(Name, ...) \
  MLMDX_STORE_RPC(Name, kReadOnly, __VA_ARGS__)
#define MLMDX_STORE_WRITE_RPC(Name, ...) \
  MLMDX_STORE_RPC(Name, kReadWrite, __VA_ARGS__)

#endif  // MLMDX_STORE_INTERNAL_RPC_MACROS_H_
