// Webhooks kept while no worker could answer them, and their replay. nginx's fallbacks (server/nginx_fallbacks.h)
// write one JSON file per request (`kept-<msec>-<request id>.json`: method, URI, signature, body, and the time nginx
// received it); a worker that answered its own request with the step's fallback writes the same record. Workers
// replay them through the normal routing — signature check included — so the event is logged exactly as if it had
// arrived on time, with nginx's time as the event's time.
//
// Life of a file, all renames within one directory (atomic):
//   kept-….json  ──claim──▶ kept-….json.claimed-<pid>  ──2xx──▶ deleted
//                                    │ refused (any other answer, or not a webhook POST)
//                                    ▼
//                           dead/kept-….json + dead/kept-….json.reason   (kept for a person; move it back to retry)
// A claim whose worker died (or that is older than kStaleClaim) is claimed again by the next worker that looks, so
// a worker killed half-way never strands a request. Nothing is deleted that was not stored.
//
// The kept requests and their dead letters share the disk with the event spool: when they reach their cap the
// workers create `keeping-paused` (nginx then answers without keeping) and remove it below 80% of the cap.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/request.h"

namespace switchboard::server {

inline constexpr std::chrono::minutes kStaleClaim{5};

struct KeptBacklog {
  std::uint64_t pending = 0;       // waiting or claimed
  std::uint64_t dead_letters = 0;  // refused on replay
  std::uint64_t bytes = 0;         // both together
  bool paused = false;             // keeping-paused exists
};

class KeptRequests {
 public:
  KeptRequests(std::string directory, std::uint64_t cap_bytes);

  // Claims up to `limit` requests, oldest first: settled files (nginx finished writing them: non-empty, a second
  // old) and stale claims. Returns the claimed paths.
  std::vector<std::string> claim(int limit);
  // A claimed file's content; nullopt when it cannot be read (the claim then goes stale and is retried).
  std::optional<std::string> read(const std::string& claimed) const;
  // The claimed request was stored (or recognised as a duplicate): its file goes.
  void done(const std::string& claimed);
  // The claimed request was refused: it moves to dead/ with `reason` beside it.
  void dead_letter(const std::string& claimed, const std::string& reason);

  // Writes a request the way nginx keeps one (the worker's safety net); throws std::runtime_error on failure.
  void keep(const http::Request& request, std::int64_t received_at_ms);

  // True when a request waits (settled or not); cheap: one directory scan.
  bool pending() const;
  KeptBacklog backlog() const;
  // Creates or removes keeping-paused after the cap; returns the backlog it measured.
  KeptBacklog enforce_cap();

  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
  std::uint64_t cap_bytes_;
};

// The request recorded in one kept file's content; nullopt when it is not one. `received_at_ms` comes from nginx's
// `msec` (seconds with milliseconds), when present and sane.
std::optional<http::Request> decode_kept_request(const std::string& json);
std::string encode_kept_request(const http::Request& request, std::int64_t received_at_ms);

// Percent-decodes a URI path as nginx does before matching locations, so a replay is routed where nginx routed the
// live request; nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> decoded_path(const std::string& raw_path);

}  // namespace switchboard::server
