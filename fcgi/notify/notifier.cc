// The delivery loop's single round, and the libcurl delivery.
#include "notify/notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "notify/voicemail_notice.h"
#include "twilio/messages_client.h"

namespace switchboard::notify {

namespace {
constexpr int kBatch = 20;
constexpr int kLeaseSeconds = 60;

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }
}  // namespace

std::int64_t backoff_seconds(int attempts) {
  std::int64_t seconds = 5;
  for (int i = 1; i < attempts && seconds < 3600; ++i) seconds *= 3;
  return std::min<std::int64_t>(seconds, 3600);
}

CurlDelivery::CurlDelivery(const config::Settings& settings) : settings_(settings) {}

std::optional<std::string> CurlDelivery::send_sms(const std::string& to, const std::string& from,
                                                  const std::string& body) {
  return twilio::MessagesClient(settings_.twilio_api_base, settings_.account_sid, settings_.auth_token,
                                settings_.notifications.delivery_timeout_s)
      .send(to, from, body);
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
  // CURLOPT_TIMEOUT covers the whole transfer (name lookup and connecting too): nothing outlives it.
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

std::optional<std::string> Notifier::deliver(const store::Notification& notification, const store::CallRow& call,
                                             std::int64_t now_ms) {
  const std::string feed_url = settings_.public_base_url + "/";
  const config::Notifications& config = settings_.notifications;
  if (notification.channel == store::kChannelSms) {
    if (config.sms_to.empty()) return "SMS notifications are no longer configured";
    return delivery_.send_sms(config.sms_to, config.sms_from, sms_text(call, feed_url));
  }
  if (notification.channel == store::kChannelWebhook) {
    if (config.webhook_url.empty()) return "webhook notifications are no longer configured";
    const std::string body = webhook_json(call, feed_url);
    return delivery_.post_webhook(config.webhook_url, body,
                                  webhook_signature(config.webhook_secret, now_ms / 1000, body));
  }
  return "unknown channel " + notification.channel;
}

void Notifier::log_to_timeline(const store::Notification& notification, const std::optional<std::string>& error,
                               std::int64_t now_ms) {
  store::Event event;
  event.call_sid = notification.call_sid;
  event.kind = "notification";
  event.params = {{"Channel", notification.channel},
                  {"Attempt", std::to_string(notification.attempts)},
                  {"Result", error ? "failed" : "sent"}};
  if (error) event.params.emplace_back("Error", *error);
  event.received_at_ms = now_ms;
  calls_.record(event, store::CallUpdate{});
}

int Notifier::run_once(std::int64_t now_ms) {
  const std::vector<store::Notification> due = queue_.claim_due(now_ms, kBatch, kLeaseSeconds);
  for (const store::Notification& notification : due) {
    const std::optional<store::CallRow> call = calls_.find_call(notification.call_sid);
    const std::optional<std::string> error =
        call ? deliver(notification, *call, now_ms) : std::optional<std::string>("call not found");
    if (!error) {
      queue_.mark_sent(notification.id, now_ms);
      std::cerr << "switchboard-notify: " << notification.channel << " for " << notification.call_sid << " sent\n";
    } else {
      const bool again = notification.attempts < kMaxAttempts;
      queue_.mark_failed(notification.id, *error,
                         again ? std::optional<std::int64_t>(now_ms + backoff_seconds(notification.attempts) * 1000)
                               : std::nullopt);
      std::cerr << "switchboard-notify: " << notification.channel << " for " << notification.call_sid
                << " failed (attempt " << notification.attempts << (again ? ", will retry" : ", giving up")
                << "): " << *error << "\n";
    }
    // A call deleted by hand would otherwise be recreated, empty, by its own timeline entry.
    if (call) log_to_timeline(notification, error, now_ms);
  }
  return static_cast<int>(due.size());
}

}  // namespace switchboard::notify
