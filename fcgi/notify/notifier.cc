// The delivery loop's single round, the lease it claims with, and the libcurl delivery (messages and audio).
#include "notify/notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "store/text_back.h"
#include "notify/voicemail_notice.h"
#include "ivr/routes.h"
#include "twilio/rest_api.h"

namespace switchboard::notify {

namespace {

// A claim is renewed right before its send and must outlast everything from there to the write that settles the
// row, or another notifier could take the row over and send the notification again:
// - the delivery, which libcurl ends after delivery_timeout_s whatever happens (CURLOPT_TIMEOUT includes name lookup
//   and connecting; CurlDelivery, twilio::RestApi and the audio's twilio::RecordingFetcher set it from the
//   same setting);
// - the two database round trips around it (the renewal, the settling write): milliseconds normally, cut off by
//   the connection's read and write timeouts when the database hangs;
// - the disagreement between hosts' clocks, since each notifier writes and compares leases with its own clock.
// Three delivery timeouts plus the database's read and write timeouts cover the first two and leave at least two
// delivery timeouts (4 s or more) for the clocks: 68 s by default. A longer lease would only delay the retry of a
// notification whose notifier died mid-send.
constexpr int kLeaseDeliveries = 3;

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

int lease_seconds(const config::Settings& settings) {
  return kLeaseDeliveries * settings.notifications.delivery_timeout_s + settings.database.read_timeout_s +
         settings.database.write_timeout_s;
}

std::int64_t backoff_seconds(int attempts) {
  std::int64_t seconds = 5;
  for (int i = 1; i < attempts && seconds < 3600; ++i) seconds *= 3;
  return std::min<std::int64_t>(seconds, 3600);
}

CurlDelivery::CurlDelivery(const config::Settings& settings)
    : settings_(settings),
      recordings_(settings.twilio_api_base, settings.account_sid, settings.auth_token, settings.recordings_dir(),
                  settings.notifications.delivery_timeout_s) {}

bool CurlDelivery::recording_cached(const std::string& recording_sid) { return recordings_.cached(recording_sid); }

std::optional<std::string> CurlDelivery::fetch_recording(const std::string& recording_sid) {
  const twilio::FetchOutcome outcome = recordings_.fetch(recording_sid);
  switch (outcome.result) {
    case twilio::FetchResult::kStored:
      return std::nullopt;
    case twilio::FetchResult::kNotAvailable:
      return "Twilio does not have the recording (yet): " + outcome.detail;
    case twilio::FetchResult::kFailed:
      break;
  }
  return outcome.detail;
}

SmsResult CurlDelivery::send_sms(const Sms& sms) {
  const twilio::RestApi api(settings_.twilio_api_base, settings_.account_sid, settings_.auth_token,
                            settings_.notifications.delivery_timeout_s);
  const twilio::ApiAnswer answer = api.post_form(
      "Messages.json", {{"To", sms.to}, {"From", sms.from}, {"Body", sms.body}, {"SmartEncoded", "true"},
                        {"StatusCallback", sms.status_callback}});
  SmsResult result;
  if (!answer.ok()) {
    result.error = "Twilio Messages API: " + answer.describe();
    return result;
  }
  // Accepted: the SID is what the delivery reports will name. An answer without one still means Twilio took it.
  if (const auto message = twilio::parse_message(answer.body)) {
    result.message = store::SentMessage{message->sid, message->status.empty() ? "queued" : message->status};
  }
  return result;
}

std::optional<std::string> CurlDelivery::post_webhook(const std::string& url, const std::string& body,
                                                      const std::string& signature) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return "cannot initialise libcurl";
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(nullptr, curl_slist_free_all);
  for (const std::string& header : {std::string("Content-Type: application/json"),
                                    "X-Switchboard-Signature: " + signature, std::string("User-Agent: Switchboard")}) {
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  // CURLOPT_TIMEOUT covers the whole transfer (name lookup and connecting too): the lease relies on it.
  const long timeout_s = settings_.notifications.delivery_timeout_s;
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, std::min(5L, timeout_s));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) return std::string("webhook unreachable: ") + curl_easy_strerror(code);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return std::nullopt;
  return "webhook answered HTTP " + std::to_string(status);
}

Notifier::Outcome Notifier::deliver(const store::Notification& notification, const store::CallRow& call,
                                    std::int64_t now_ms) {
  const std::string feed_url = settings_.public_base_url + "/";
  const config::Notifications& config = settings_.notifications;
  if (notification.channel == store::kChannelSms) {
    if (config.sms_to.empty()) return {"SMS notifications are no longer configured"};
    return from_sms(delivery_.send_sms(sms(notification, config.sms_to, config.sms_from, sms_text(call, feed_url))));
  }
  if (notification.channel == store::kChannelWebhook || notification.channel == store::kChannelSmsFallback) {
    if (config.webhook_url.empty()) return {"webhook notifications are no longer configured"};
    const std::string body = webhook_json(
        call, feed_url, notification.channel == store::kChannelWebhook ? kVoicemailEvent : kSmsUndeliveredEvent);
    return {delivery_.post_webhook(config.webhook_url, body,
                                   webhook_signature(config.webhook_secret, now_ms / 1000, body))};
  }
  if (notification.channel == store::kChannelAudio) return fetch_audio(call);
  if (notification.channel == store::kChannelTextBack) return text_back(notification, call);
  return {"unknown channel " + notification.channel};
}

Notifier::Outcome Notifier::from_sms(const SmsResult& sent) {
  Outcome outcome;
  outcome.error = sent.error;
  outcome.message = sent.message;
  return outcome;
}

Sms Notifier::sms(const store::Notification& notification, std::string to, std::string from, std::string body) const {
  const std::string query = "call=" + notification.call_sid + "&notification=" + std::to_string(notification.id);
  return {std::move(to), std::move(from), std::move(body),
          ivr::route::url(settings_.public_base_url, ivr::route::kMessageStatus.path, query)};
}

Notifier::Outcome Notifier::text_back(const store::Notification& notification, const store::CallRow& call) {
  const routing::Routing::TextBack wanted = routing_.current().routing.text_back;
  // No retry changes any of these: the row fails at once, and nothing is sent.
  if (!wanted.enabled) return {"text-back is off", "failed", false};
  // A callback later than the wait (kTextBackSettleS) showed the call answered, or its recording empty.
  if (!store::text_back_outcome(call)) {
    return {std::string("the call is no longer missed or a voicemail (") + store::outcome_of(call) + ")", "failed",
            false};
  }
  // The number the caller dialled: the company's Twilio number, which the caller knows and can call back.
  if (!config::is_e164(call.to)) return {"the call has no Twilio number to text from", "failed", false};
  return from_sms(delivery_.send_sms(sms(notification, call.from, call.to, wanted.message)));
}

Notifier::Outcome Notifier::fetch_audio(const store::CallRow& call) {
  // Queued only once the recording completed, so its SID is there; a SID of another shape never becomes a path or
  // a URL, and no retry would change it.
  if (!call.recording_sid || !twilio::RecordingFetcher::valid_sid(*call.recording_sid)) {
    return {"the call has no recording SID to fetch", "failed", false};
  }
  // The retention purge deleted it on purpose (a late retry of an old fetch): it must not come back.
  if (call.recording_deleted_at_ms) return {"the retention purge deleted this voicemail's audio", "failed", false};
  // A play that came first fetched it: asking Twilio again would only replace the same bytes.
  if (delivery_.recording_cached(*call.recording_sid)) return {std::nullopt, "cached"};
  return {delivery_.fetch_recording(*call.recording_sid), "fetched"};
}

void Notifier::log_to_timeline(const store::Notification& notification, const Outcome& outcome, std::int64_t now_ms) {
  store::Event event;
  event.call_sid = notification.call_sid;
  event.kind = ivr::route::kNotificationKind;
  event.params = {{"Channel", notification.channel},
                  {"Attempt", std::to_string(notification.attempts)},
                  {"Result", outcome.error ? "failed" : outcome.result}};
  if (outcome.error) event.params.emplace_back("Error", *outcome.error);
  if (outcome.message) {
    event.params.emplace_back("MessageSid", outcome.message->sid);
    event.params.emplace_back("MessageStatus", outcome.message->status);
  }
  event.received_at_ms = now_ms;
  calls_.record(event, store::CallUpdate{});
}

// One notification per round, claimed just before it is sent: a batch claimed at once would wait behind its own slow
// sends until the lease ran out, and another notifier would claim and send what was still waiting.
bool Notifier::run_once() {
  std::optional<store::Notification> claim = queue_.claim_next(clock_(), lease_s_);
  if (!claim) return false;
  const std::string what = claim->channel + " for " + claim->call_sid;
  const std::optional<store::CallRow> call = calls_.find_call(claim->call_sid);
  Outcome outcome;
  if (!call) {
    outcome.error = "call not found";
  } else {
    // Reading the call may have taken as long as the database's timeouts, or this process was stopped meanwhile:
    // take a full lease for the send, or learn that the claim is lost and send nothing.
    const std::int64_t now_ms = clock_();
    if (!queue_.renew(*claim, now_ms, lease_s_)) {
      std::cerr << "switchboard-notify: " << what << " not sent: its lease ran out and another notifier took it\n";
      return true;
    }
    outcome = deliver(*claim, *call, now_ms);
  }
  const std::optional<std::string>& error = outcome.error;
  const std::int64_t now_ms = clock_();
  const bool again = outcome.retry && claim->attempts < kMaxAttempts;
  const std::optional<std::int64_t> retry_at_ms =
      again ? std::optional<std::int64_t>(now_ms + backoff_seconds(claim->attempts) * 1000) : std::nullopt;
  const bool settled =
      error ? queue_.mark_failed(*claim, *error, retry_at_ms) : queue_.mark_sent(*claim, now_ms, outcome.message);
  if (!settled) {
    // Only a send that outlived the lease gets here (the delivery timeout should make that impossible): the row and
    // the timeline are the other notifier's to write.
    std::cerr << "switchboard-notify: " << what << " " << (error ? "failed" : outcome.result)
              << ", but its lease had run out and another notifier took it: left to that one\n";
    return true;
  }
  if (!error) {
    std::cerr << "switchboard-notify: " << what << " " << outcome.result << "\n";
  } else {
    std::cerr << "switchboard-notify: " << what << " failed (attempt " << claim->attempts
              << (again ? ", will retry" : ", giving up") << "): " << *error << "\n";
  }
  // A call deleted by hand would otherwise be recreated, empty, by its own timeline entry.
  if (call) log_to_timeline(*claim, outcome, now_ms);
  return true;
}

}  // namespace switchboard::notify
