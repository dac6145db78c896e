// Keeps the call log true when Twilio's callbacks were lost (the whole host unreachable, a proxy down): a call still
// without a final status, or a voicemail without a recording status, `after_s` after its last event from Twilio is
// looked up in Twilio's REST API (Calls/{Sid}.json, Recordings/{Sid}.json), and the answer is recorded as an event
// of kind "reconciled" and folded like any other (store::fold): idempotent (the same answer is one event), never
// moving a call backwards (a lookup's status ranks like a callback's, and its durations only fill what no callback
// said).
//
// Runs in switchboard-notify, on every host; one at a time per deployment holds the "reconciler" lease
// (store/reconcile_store.h). Bounded: at most per_minute lookups a minute; after a failed request (Twilio or the
// network down, 5xx, 429, refused credentials) it waits, doubling from 10 s to 10 minutes. Each call's lookups are
// noted, so a call Twilio keeps calling in progress is asked about less and less often, and one Twilio does not
// know is given up after three tries.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "config/settings.h"
#include "store/call_store.h"
#include "store/reconcile_store.h"
#include "twilio/rest_api.h"

namespace switchboard::reconcile {

// One lookup's answer: the resource, Twilio saying it has no such thing (404), or a failure that says nothing
// about the call (unreachable, timeout, 5xx, 401, 429, an unreadable body).
template <typename Resource>
struct Lookup {
  std::optional<Resource> found;
  bool not_found = false;
  std::optional<std::string> error;
};

class TwilioLookups {
 public:
  virtual ~TwilioLookups() = default;
  virtual Lookup<twilio::CallResource> call(const std::string& call_sid) = 0;
  virtual Lookup<twilio::RecordingResource> recording(const std::string& recording_sid) = 0;
};

// libcurl through twilio::RestApi, bounded by the notifications' delivery timeout.
class RestLookups : public TwilioLookups {
 public:
  explicit RestLookups(const config::Settings& settings);
  Lookup<twilio::CallResource> call(const std::string& call_sid) override;
  Lookup<twilio::RecordingResource> recording(const std::string& recording_sid) override;

 private:
  twilio::RestApi api_;
};

// Milliseconds since the Unix epoch.
using Clock = std::function<std::int64_t()>;

inline constexpr char kLeaseName[] = "reconciler";
inline constexpr int kLeaseS = 60;          // renewed every scan (kScanEveryMs), so a dead holder is replaced in a minute
inline constexpr int kScanEveryMs = 5000;
inline constexpr int kBatch = 20;           // candidates read per scan, at most
inline constexpr int kMaxChecksUnknown = 3;  // lookups of a call Twilio does not know before giving up
inline constexpr int kMaxChecksOpen = 12;    // lookups of a call Twilio still calls in progress before giving up

class Reconciler {
 public:
  // `holder` names this process in the lease ("host:pid").
  Reconciler(const config::Settings& settings, store::ReconcileStore& store, store::CallStore& calls,
             TwilioLookups& twilio, Clock clock, std::string holder);

  // One scan when one is due: holds the lease, reads due calls and looks up as many as the rate allows. Returns the
  // number of lookups made. Never throws: a database or Twilio failure backs off.
  int run_once();

 private:
  enum class Step { kDone, kFailed };
  Step check(const store::ReconcileCandidate& candidate, std::int64_t now_ms);
  void back_off(std::int64_t now_ms, const std::string& why);
  // When to look at a call again after its `checks`-th lookup found it still open: after_s, doubling, at most 6 h.
  std::int64_t next_open_check(std::int64_t now_ms, int checks) const;

  const config::Settings& settings_;
  store::ReconcileStore& store_;
  store::CallStore& calls_;
  TwilioLookups& twilio_;
  Clock clock_;
  std::string holder_;
  double tokens_;
  std::int64_t tokens_at_ms_ = 0;
  std::int64_t next_scan_ms_ = 0;
  std::int64_t backoff_ms_ = 0;
};

}  // namespace switchboard::reconcile
