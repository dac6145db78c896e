// The reconciler's scan, its lookups and what it records.
#include "reconcile/reconciler.h"

#include <algorithm>
#include <iostream>

#include "ivr/routes.h"
#include "store/call_record.h"
#include "twilio/params.h"
#include "webhooks/call_update.h"

namespace switchboard::reconcile {

namespace {

namespace param = twilio::param;

constexpr std::int64_t kMinBackoffMs = 10'000;
constexpr std::int64_t kMaxBackoffMs = 600'000;
constexpr std::int64_t kMaxRecheckMs = 6 * 3600'000LL;

// Twilio's recording statuses that no later answer changes: the callbacks' final ones, and "deleted", which only the
// REST API reports.
bool is_final_recording(const std::string& status) {
  return store::is_final_recording_status(status) || status == "deleted";
}

template <typename Resource>
Lookup<Resource> lookup(const twilio::ApiAnswer& answer, std::optional<Resource> (*parse)(const std::string&)) {
  Lookup<Resource> result;
  if (answer.status == 404) {
    result.not_found = true;
  } else if (!answer.ok()) {
    result.error = answer.describe();
  } else if (!(result.found = parse(answer.body))) {
    result.error = "an answer that is not the resource: " + answer.body.substr(0, 200);
  }
  return result;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : "; ") + part;
  return text;
}

}  // namespace

RestLookups::RestLookups(const config::Settings& settings)
    : api_(settings.twilio_api_base, settings.account_sid, settings.auth_token,
           settings.notifications.delivery_timeout_s) {}

Lookup<twilio::CallResource> RestLookups::call(const std::string& call_sid) {
  if (!twilio::valid_sid(call_sid, "CA")) return {std::nullopt, true, std::nullopt};  // no such SID exists at Twilio
  return lookup(api_.get("Calls/" + call_sid + ".json"), &twilio::parse_call);
}

Lookup<twilio::RecordingResource> RestLookups::recording(const std::string& recording_sid) {
  if (!twilio::valid_sid(recording_sid, "RE")) return {std::nullopt, true, std::nullopt};
  return lookup(api_.get("Recordings/" + recording_sid + ".json"), &twilio::parse_recording);
}

Reconciler::Reconciler(const config::Settings& settings, store::ReconcileStore& store, store::CallStore& calls,
                       TwilioLookups& twilio, Clock clock, std::string holder)
    : settings_(settings),
      store_(store),
      calls_(calls),
      twilio_(twilio),
      clock_(std::move(clock)),
      holder_(std::move(holder)),
      tokens_(std::min(settings.reconcile.per_minute, kBatch)) {}

std::int64_t Reconciler::next_open_check(std::int64_t now_ms, int checks) const {
  std::int64_t wait_ms = settings_.reconcile.after_s * 1000LL;
  for (int i = 1; i < checks && wait_ms < kMaxRecheckMs; ++i) wait_ms *= 2;
  return now_ms + std::min(wait_ms, kMaxRecheckMs);
}

void Reconciler::back_off(std::int64_t now_ms, const std::string& why) {
  backoff_ms_ = std::clamp(backoff_ms_ * 2, kMinBackoffMs, kMaxBackoffMs);
  next_scan_ms_ = now_ms + backoff_ms_;
  std::cerr << "switchboard-notify: reconciliation paused for " << backoff_ms_ / 1000 << " s: " << why << "\n";
}

int Reconciler::run_once() {
  if (!settings_.reconcile.enabled()) return 0;
  const std::int64_t now_ms = clock_();
  if (now_ms < next_scan_ms_) return 0;
  next_scan_ms_ = now_ms + kScanEveryMs;

  const int per_minute = settings_.reconcile.per_minute;
  if (tokens_at_ms_ > 0) tokens_ = std::min<double>(per_minute, tokens_ + (now_ms - tokens_at_ms_) * per_minute / 60000.0);
  tokens_at_ms_ = now_ms;
  if (tokens_ < 1) return 0;

  std::vector<store::ReconcileCandidate> candidates;
  try {
    if (!store_.hold_lease(kLeaseName, holder_, now_ms, kLeaseS)) return 0;  // another host reconciles
    const std::int64_t quiet_before_ms = now_ms - settings_.reconcile.after_s * 1000LL;
    const std::int64_t started_after_ms =
        std::max<std::int64_t>(0, now_ms - settings_.reconcile.horizon_days * 86'400'000LL);
    candidates = store_.due(now_ms, quiet_before_ms, started_after_ms,
                            std::min(kBatch, static_cast<int>(tokens_)));
  } catch (const std::exception& error) {
    back_off(now_ms, std::string("database: ") + error.what());
    return 0;
  }

  int lookups = 0;
  for (const store::ReconcileCandidate& candidate : candidates) {
    if (tokens_ < 1) break;
    tokens_ -= candidate.call_open && candidate.recording_sid ? 2 : 1;
    ++lookups;
    try {
      if (check(candidate, clock_()) == Step::kFailed) break;
    } catch (const std::exception& error) {
      back_off(clock_(), std::string("database: ") + error.what());
      break;
    }
  }
  if (next_scan_ms_ <= now_ms + kScanEveryMs) {
    if (lookups > 0) backoff_ms_ = 0;
    // A full batch means more are due: scan again at once while the rate allows, rather than in 5 s.
    if (lookups == kBatch) next_scan_ms_ = now_ms;
  }
  return lookups;
}

Reconciler::Step Reconciler::check(const store::ReconcileCandidate& candidate, std::int64_t now_ms) {
  const int checks = candidate.checks + 1;
  std::vector<std::string> found;
  bool open = false;      // Twilio says the call or its recording is not over
  bool unknown = false;   // Twilio does not know the call or its recording
  const auto failed = [&](const std::string& what, const std::string& error) {
    // Says nothing about the call: look again after the pause, without counting it against the call.
    store_.note_check(candidate.call_sid, now_ms, now_ms + std::max(backoff_ms_ * 2, kMinBackoffMs),
                      "lookup of the " + what + " failed: " + error);
    back_off(now_ms, "Twilio: " + error);
    return Step::kFailed;
  };
  const auto record = [&](store::Params params) {
    store::Event event;
    event.call_sid = candidate.call_sid;
    event.kind = ivr::route::kReconciledKind;
    event.params = std::move(params);
    event.received_at_ms = now_ms;
    calls_.record(event, webhooks::update_for(event));
  };

  if (candidate.call_open) {
    const Lookup<twilio::CallResource> answer = twilio_.call(candidate.call_sid);
    if (answer.error) return failed("call", *answer.error);
    if (answer.not_found) {
      unknown = true;
      found.emplace_back("Twilio does not know this call");
    } else {
      const twilio::CallResource& call = *answer.found;
      const bool final_status = store::is_final_status(call.status);
      store::Params params{{param::kCallSid, candidate.call_sid}, {param::kCallStatus, call.status}};
      if (call.duration) params.emplace_back(param::kCallDuration, *call.duration);
      // The callback's Timestamp is when the status happened: the end for a final status, else the start.
      const std::optional<std::string>& when = final_status ? call.end_time : call.start_time;
      if (when) params.emplace_back(param::kTimestamp, *when);
      params.emplace_back("Source", "calls-api");
      record(std::move(params));
      open = open || !final_status;
      found.push_back("call " + call.status + (call.duration ? ", " + *call.duration + " s" : ""));
    }
  }
  if (candidate.recording_sid) {
    const Lookup<twilio::RecordingResource> answer = twilio_.recording(*candidate.recording_sid);
    if (answer.error) return failed("recording", *answer.error);
    if (answer.not_found) {
      unknown = true;
      found.emplace_back("Twilio does not know recording " + *candidate.recording_sid);
    } else {
      const twilio::RecordingResource& recording = *answer.found;
      store::Params params{{param::kCallSid, candidate.call_sid},
                           {param::kRecordingSid, *candidate.recording_sid},
                           {param::kRecordingStatus, recording.status}};
      if (recording.duration) params.emplace_back(param::kRecordingDuration, *recording.duration);
      params.emplace_back("Source", "recordings-api");
      record(std::move(params));
      open = open || !is_final_recording(recording.status);
      found.push_back("recording " + recording.status);
    }
  }

  std::optional<std::int64_t> next_check_ms;
  if (unknown && checks < kMaxChecksUnknown) next_check_ms = next_open_check(now_ms, checks);
  else if (!unknown && open && checks < kMaxChecksOpen) next_check_ms = next_open_check(now_ms, checks);
  std::string result = joined(found);
  if ((unknown || open) && !next_check_ms) result += " (given up after " + std::to_string(checks) + " lookups)";
  store_.note_check(candidate.call_sid, now_ms, next_check_ms, result);
  return Step::kDone;
}

}  // namespace switchboard::reconcile
