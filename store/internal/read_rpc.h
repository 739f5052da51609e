// File: store/internal/read_rpc.h
// -----------------------------------------------------------------------------
//
// MLMDX_STORE_READ_RPC(Name, { body }) defines MetadataStore::Name for a
// read-only RPC: the body runs in one read transaction with `request`,
// `access` (internal::RecordAccess) and a fresh `result` response in scope,
// and `result` becomes the response only when everything succeeded. Used
// only inside store/*.cc.

#ifndef MLMDX_STORE_INTERNAL_READ_RPC_H_
#define MLMDX_STORE_INTERNAL_READ_RPC_H_

#define MLMDX_STORE_READ_RPC(Name, ...)                                       \
  absl::Status MetadataStore::Name(const ml_metadata::Name##Request& request, \
                                   ml_metadata::Name##Response* response) {   \
    response->Clear();                                                        \
    ml_metadata::Name##Response result;                                       \
    MLMDX_RETURN_IF_ERROR(Transact(                                           \
        TransactionMode::kReadOnly,                                           \
        [&](internal::RecordAccess & access) -> absl::Status __VA_ARGS__));   \
    *response = std::move(result);                                            \
    return absl::OkStatus();                                                  \
  }

#endif  // MLMDX_STORE_INTERNAL_READ_RPC_H_
