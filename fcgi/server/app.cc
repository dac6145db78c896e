// The routing table and the per-request safety net.
#include "server/app.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ivr/call_flow.h"
#include "ivr/routes.h"
#include "server/kept_requests.h"
#include "store/notification_queue.h"
#include "webhooks/call_update.h"

namespace switchboard::server {

namespace route = ivr::route;

store::ConnectionOptions connection_options(const config::Database& database) {
  store::ConnectionOptions options;
  options.socket = database.socket;
  options.host = database.host;
  options.port = database.port;
  options.user = database.user;
  options.password = database.password;
  options.schema = database.name;
  options.connect_timeout_s = database.connect_timeout_s;
  options.read_timeout_s = database.read_timeout_s;
  options.write_timeout_s = database.write_timeout_s;
  return options;
}

store::NotificationPolicy notification_policy(const config::Settings& settings) {
  store::NotificationPolicy policy;
  if (!settings.notifications.sms_to.empty()) policy.channels.emplace_back(store::kChannelSms);
  if (!settings.notifications.webhook_url.empty()) policy.channels.emplace_back(store::kChannelWebhook);
  policy.transcription_wait_s = settings.ivr.transcribe ? settings.notifications.transcription_wait_s : 0;
  return policy;
}

App::App(config::Settings settings)
    : settings_(std::move(settings)),
      metrics_(settings_.state_dir + "/metrics.shm"),
      store_(connection_options(settings_.database), notification_policy(settings_)),
      spool_(settings_.state_dir + "/spool"),
      kept_dir_(settings_.state_dir + "/spool/nginx"),
      events_(store_,
              [this](const store::Event& event) {
                spool_.append(event);
                metrics_.event_spooled();
              }),
      webhooks_(settings_, events_, [] { return std::chrono::system_clock::now(); }),
      calls_api_(store_),
      recordings_(settings_.twilio_api_base, settings_.account_sid, settings_.auth_token,
                  settings_.state_dir + "/recordings"),
      voicemail_api_(store_, recordings_, [] { return std::chrono::system_clock::now(); }) {
  using webhooks::Webhooks;
  const auto bind = [this](http::Response (Webhooks::*method)(const http::Request&)) {
    return [this, method](const http::Request& request) { return (webhooks_.*method)(request); };
  };
  router_.set_webhook_gate([this](const http::Request& request) { return webhooks_.authenticate(request); });
  router_.webhook(route::kVoice, bind(&Webhooks::incoming_call));
  router_.webhook(route::kMenu, bind(&Webhooks::menu));
  router_.webhook(route::kScreen, bind(&Webhooks::screen));
  router_.webhook(route::kScreenResult, bind(&Webhooks::screen_result));
  router_.webhook(route::kDialResult, bind(&Webhooks::dial_result));
  router_.webhook(route::kVoicemailDone, bind(&Webhooks::voicemail_done));
  router_.webhook(route::kRecordingStatus, bind(&Webhooks::recording_status));
  router_.webhook(route::kTranscription, bind(&Webhooks::transcription));
  router_.webhook(route::kCallStatus, bind(&Webhooks::call_status));

  // Health and metrics: nginx lets anyone reach /healthz (it tells nothing but "up") and only localhost or feed
  // users reach /metrics.
  router_.exact("GET", "/healthz", [this](const http::Request&) { return health(); });
  router_.exact("GET", "/metrics", [this](const http::Request&) {
    http::Response response = http::Response::text(200, metrics_.render(spool_.pending_bytes()));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  });
  router_.exact("GET", "/api/calls", [this](const http::Request& request) { return calls_api_.list(request); });
  router_.exact("GET", "/api/summary", [this](const http::Request& request) { return calls_api_.summary(request); });
  // /api/calls/{sid}, /api/calls/{sid}/voicemail, /api/calls/{sid}/voicemail/heard
  router_.prefix("GET", "/api/calls/", [this](const http::Request& request, const std::string& rest) {
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) return calls_api_.get(request, rest);
    if (rest.compare(slash, std::string::npos, "/voicemail") == 0) {
      return voicemail_api_.audio(request, rest.substr(0, slash));
    }
    return http::Response::json_error(404, "not found");
  });
  router_.prefix("POST", "/api/calls/", [this](const http::Request& request, const std::string& rest) {
    const size_t slash = rest.find('/');
    if (slash != std::string::npos && rest.compare(slash, std::string::npos, "/voicemail/heard") == 0) {
      return voicemail_api_.mark_heard(request, rest.substr(0, slash));
    }
    return http::Response::json_error(404, "not found");
  });
}

http::Response App::health() {
  const bool database = store_.reachable();
  const std::uint64_t spool_bytes = spool_.pending_bytes();
  http::Response response = http::Response::json(
      database ? 200 : 503, std::string("{\"status\":\"") + (database ? "ok" : "degraded") + "\",\"database\":\"" +
                                (database ? "reachable" : "unreachable") + "\",\"spool_bytes\":" +
                                std::to_string(spool_bytes) + "}");
  return response;
}

http::Response App::handle(const http::Request& request) noexcept {
  const auto started = std::chrono::steady_clock::now();
  http::Response response = route(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(request.path, response.status, seconds);
  // One line per request for the journal: what, how it ended, how long, which call.
  // Caller-controlled text is printed with control characters and spaces replaced, so it cannot forge log lines.
  const auto printable = [](std::string text) {
    for (char& c : text) {
      if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) c = '?';
    }
    return text;
  };
  char line[512];
  const std::string call_sid = printable(request.form_value("CallSid").value_or("-"));
  const std::string path = printable(request.path);
  std::snprintf(line, sizeof line, "request method=%.8s path=%.100s status=%d ms=%.1f call=%.40s\n",
                printable(request.method).c_str(), path.c_str(), response.status, seconds * 1000, call_sid.c_str());
  std::fputs(line, stderr);
  return response;
}

http::Response App::route(const http::Request& request) noexcept {
  try {
    return router_.dispatch(request);
  } catch (const std::exception& error) {
    std::cerr << "switchboard: " << request.method << " " << request.path << " failed: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "switchboard: " << request.method << " " << request.path << " failed: unknown exception\n";
  }
  if (request.path.rfind(route::kVoice, 0) == 0) {
    try {
      return http::Response::xml(ivr::safety_net(settings_));
    } catch (...) {
    }
  }
  return http::Response::json_error(500, "internal error");
}

bool App::spool_pending() const {
  return spool_.pending() || !kept_request_files(kept_dir_, /*only_settled=*/false).empty();
}

void App::replay_spool() noexcept {
  // Webhooks nginx kept while no worker answered: through the normal routing (signature checked again); whatever
  // cannot reach the database goes to the spool like any live request.
  for (const std::string& kept : kept_request_files(kept_dir_)) {
    // Claim the file first: every worker looks at this directory, only the one whose rename succeeds replays it.
    const std::string path = kept + ".claimed-" + std::to_string(::getpid());
    if (std::rename(kept.c_str(), path.c_str()) != 0) continue;
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    const std::optional<http::Request> request = decode_kept_request(content.str());
    if (!request) {
      std::cerr << "switchboard: " << path << " is not a kept request; moved aside\n";
      std::rename(path.c_str(), (path + ".bad").c_str());
      continue;
    }
    const http::Response response = handle(*request);
    std::cerr << "switchboard: replayed kept " << request->path << ": " << response.status << "\n";
    std::remove(path.c_str());
  }
  try {
    if (!spool_.pending()) return;
    const store::ReplayResult result =
        spool_.replay([this](const store::Event& event) { store_.record(event, webhooks::update_for(event)); });
    if (result.replayed > 0 || result.unreadable > 0 || !result.finished) {
      std::cerr << "switchboard: spool replay: " << result.replayed << " events stored"
                << (result.unreadable > 0 ? ", " + std::to_string(result.unreadable) + " unreadable lines kept" : "")
                << (result.finished ? "" : ", database unavailable again, rest kept") << "\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "switchboard: spool replay failed: " << error.what() << "\n";
  }
}

}  // namespace switchboard::server
