// The routing table and the per-request safety net.
#include "server/app.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "ivr/call_flow.h"
#include "ivr/routes.h"
#include "server/nginx_fallbacks.h"
#include "webhooks/call_update.h"

namespace switchboard::server {

namespace route = ivr::route;

namespace {

auth::SessionPolicy session_policy(const config::Settings& settings) {
  auth::SessionPolicy policy;
  policy.idle_ms = settings.sessions.idle_minutes * 60LL * 1000;
  policy.max_ms = settings.sessions.max_hours * 60LL * 60 * 1000;
  return policy;
}

}  // namespace

App::App(config::Settings settings, Pool pool, Stores stores, Clock clock)
    : settings_(std::move(settings)),
      pool_(pool),
      stores_(std::move(stores)),
      clock_(std::move(clock)),
      metrics_(settings_.state_dir + "/metrics.shm"),
      spool_(settings_.state_dir + "/spool"),
      kept_(kept_directory(settings_), settings_.kept_requests_max_bytes),
      routing_(routing::snapshot_path(settings_), routing::initial_routing(settings_)),
      routing_changes_(stores_.routing, routing::snapshot_path(settings_), routing::initial_routing(settings_),
                       [this] { return now_ms(); }),
      events_(stores_.calls,
              [this](const store::Event& event) {
                spool_.append(event);
                metrics_.event_spooled();
              },
              [this](const store::Event& event, const store::Rejection& why) {
                spool_.dead_letter(event, why);
                metrics_.event_dead_lettered();
              }),
      webhooks_(settings_, routing_, events_, clock_),
      calls_api_(stores_.calls),
      recordings_(settings_.twilio_api_base, settings_.account_sid, settings_.auth_token,
                  settings_.recordings_dir()),
      accounts_(stores_.accounts, session_policy(settings_), [this] { return now_ms(); }),
      account_api_(accounts_, session_policy(settings_)),
      voicemail_api_(stores_.calls, recordings_, clock_,
                     [this](const http::Request& request, const std::string& action, const std::string& sid) {
                       account_api_.audit(request, action, sid);
                     }),
      routing_api_(routing_changes_, routing_,
                   [this](const http::Request& request, const std::string& action, const std::string& target) {
                     account_api_.audit(request, action, target);
                   }) {
  if (pool_ == Pool::kWebhooks) {
    add_webhook_routes();
    spool_.keep_reserve(kSpoolReserveBytes);
  } else {
    add_feed_routes();
  }
}

std::int64_t App::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
}

void App::add_webhook_routes() {
  using webhooks::Webhooks;
  const auto bind = [this](http::Response (Webhooks::*method)(const http::Request&)) {
    return [this, method](const http::Request& request) { return (webhooks_.*method)(request); };
  };
  router_.set_webhook_gate([this](const http::Request& request) { return webhooks_.authenticate(request); });
  router_.webhook(route::kVoice.path, bind(&Webhooks::incoming_call));
  router_.webhook(route::kMenu.path, bind(&Webhooks::menu));
  router_.webhook(route::kScreen.path, bind(&Webhooks::screen));
  router_.webhook(route::kScreenResult.path, bind(&Webhooks::screen_result));
  router_.webhook(route::kDialResult.path, bind(&Webhooks::dial_result));
  router_.webhook(route::kVoicemailDone.path, bind(&Webhooks::voicemail_done));
  router_.webhook(route::kRecordingStatus.path, bind(&Webhooks::recording_status));
  router_.webhook(route::kTranscription.path, bind(&Webhooks::transcription));
  router_.webhook(route::kCallStatus.path, bind(&Webhooks::call_status));
  router_.webhook(route::kMessageStatus.path, bind(&Webhooks::message_status));
  // The fallback's own steps: nginx answers them when the pool is down (and keeps them); a worker that is up
  // answers them like their regular twins.
  router_.webhook(route::kFallbackScreen.path, bind(&Webhooks::screen));
  router_.webhook(route::kFallbackScreenResult.path, bind(&Webhooks::fallback_screen_result));
  router_.webhook(route::kFallbackVoicemailDone.path, bind(&Webhooks::voicemail_done));

  // Liveness and metrics: nginx lets anyone reach /healthz (it tells nothing but state) and only localhost reach
  // /metrics (the whole host's figures: both pools share metrics.shm).
  router_.exact("GET", "/healthz", [this](const http::Request&) { return health(); });
  router_.exact("GET", "/metrics", [this](const http::Request&) {
    http::Response response = http::Response::text(200, metrics_.render(backlog()));
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  });
}

void App::add_feed_routes() {
  // The feed's readiness (nginx sends /readyz here): the page and the API need the database.
  router_.exact("GET", "/readyz", [this](const http::Request&) { return readiness(); });
  router_.exact("POST", "/api/session", [this](const http::Request& request) { return account_api_.sign_in(request); });
  router_.exact("GET", "/api/session", [this](const http::Request& request) { return account_api_.whoami(request); });
  router_.exact("DELETE", "/api/session",
                [this](const http::Request& request) { return account_api_.sign_out(request); });
  router_.exact("GET", "/api/audit", [this](const http::Request& request) { return account_api_.audit_log(request); });
  router_.exact("GET", "/api/users", [this](const http::Request& request) { return account_api_.list_users(request); });
  router_.exact("POST", "/api/users", [this](const http::Request& request) { return account_api_.add_user(request); });
  router_.prefix("DELETE", "/api/users/", [this](const http::Request& request, const std::string& name) {
    return account_api_.remove_user(request, name);
  });
  router_.exact("GET", "/api/routing", [this](const http::Request& request) { return routing_api_.get(request); });
  router_.exact("PUT", "/api/routing", [this](const http::Request& request) { return routing_api_.put(request); });
  router_.exact("GET", "/api/routing/history",
                [this](const http::Request& request) { return routing_api_.history(request); });
  router_.exact("GET", "/api/calls", [this](const http::Request& request) { return calls_api_.list(request); });
  router_.exact("GET", "/api/summary", [this](const http::Request& request) { return calls_api_.summary(request); });
  router_.exact("GET", "/api/calls.csv", [this](const http::Request& request) { return calls_api_.csv(request); });
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

Backlog App::backlog() {
  const KeptBacklog kept = kept_.backlog();
  Backlog backlog;
  backlog.spool_bytes = spool_.pending_bytes();
  backlog.dead_letter_events = spool_.dead_letter_count();
  backlog.kept_requests = kept.pending;
  backlog.kept_bytes = kept.bytes;
  backlog.kept_dead_letters = kept.dead_letters;
  backlog.keeping_paused = kept.paused;
  backlog.spool_reserve = spool_.has_reserve();
  return backlog;
}

// Liveness: a worker answering at all means this host routes callers — with the database down too, since decisions
// never read it and events go to the spool. So always 200; "degraded" with the reasons when something behind the
// routing needs attention. A balancer must not take a host out for a database outage: every host shares it.
http::Response App::health() {
  const bool database = stores_.database_reachable();
  const Backlog now = backlog();
  std::vector<std::string> reasons;
  if (!database) reasons.emplace_back("database unreachable: events are spooled");
  if (now.spool_bytes > 0) reasons.emplace_back("events wait in the spool");
  if (now.dead_letter_events > 0) reasons.emplace_back("events in the spool's dead-letter");
  if (now.kept_requests > 0) reasons.emplace_back("kept requests wait to be replayed");
  if (now.kept_dead_letters > 0) reasons.emplace_back("kept requests in the dead-letter folder");
  if (now.keeping_paused) reasons.emplace_back("kept requests at their size cap: nginx no longer keeps new ones");
  if (!now.spool_reserve) reasons.emplace_back("the disk was full: the spool's reserve is gone");
  std::string body = std::string("{\"status\":\"") + (reasons.empty() ? "ok" : "degraded") + "\",\"reasons\":[";
  for (size_t i = 0; i < reasons.size(); ++i) body += (i ? ",\"" : "\"") + reasons[i] + "\"";
  body += std::string("],\"database\":\"") + (database ? "reachable" : "unreachable") +
          "\",\"spool_bytes\":" + std::to_string(now.spool_bytes) +
          ",\"dead_letter_events\":" + std::to_string(now.dead_letter_events) +
          ",\"kept_requests\":" + std::to_string(now.kept_requests) +
          ",\"kept_dead_letters\":" + std::to_string(now.kept_dead_letters) +
          ",\"keeping_paused\":" + (now.keeping_paused ? "true" : "false") + "}";
  return http::Response::json(200, body);
}

// Readiness for the feed: the page and the API read the database, so without it they cannot serve.
http::Response App::readiness() {
  const bool database = stores_.database_reachable();
  return http::Response::json(database ? 200 : 503, std::string("{\"status\":\"") +
                                                        (database ? "ready" : "not ready") + "\",\"database\":\"" +
                                                        (database ? "reachable" : "unreachable") + "\"}");
}

namespace {

// Caller-controlled text with control characters and spaces replaced, so it cannot forge log lines.
std::string printable(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) c = '?';
  }
  return text;
}

// One line per request for the journal: what, how it ended, how long, which call.
void log_request(const char* what, const http::Request& request, int status, double seconds) {
  char line[512];
  std::snprintf(line, sizeof line, "%s method=%.8s path=%.100s status=%d ms=%.1f call=%.40s\n", what,
                printable(request.method).c_str(), printable(request.path).c_str(), status, seconds * 1000,
                printable(request.form_value("CallSid").value_or("-")).c_str());
  std::fputs(line, stderr);
}

}  // namespace

http::Response App::handle(http::Request request) noexcept {
  const auto started = std::chrono::steady_clock::now();
  http::Response response;
  if (pool_ == Pool::kFeed && request.path.rfind("/api/", 0) == 0) {
    // Who the request is, before any handler: a handler never sees a user the request merely claims to be.
    try {
      account_api_.authenticate(request);
      response = route(request, /*replaying=*/false);
    } catch (const store::Unavailable& error) {
      std::cerr << "switchboard: " << request.path << ": " << error.what() << "\n";
      response = feed::store_unavailable();
    } catch (const std::exception& error) {
      std::cerr << "switchboard: " << request.path << " failed: " << error.what() << "\n";
      response = http::Response::json_error(500, "internal error");
    }
  } else {
    response = route(request, /*replaying=*/false);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.observe(request.path, response.status, seconds);
  log_request("request", request, response.status, seconds);
  return response;
}

http::Response App::route(const http::Request& request, bool replaying) noexcept {
  try {
    return router_.dispatch(request);
  } catch (const store::Unavailable& error) {
    std::cerr << "switchboard: " << request.method << " " << request.path << ": " << error.what() << "\n";
    // The feed's answer to a database outage; a webhook still gets its fallback below.
    if (route::find(request.path) == nullptr) return feed::store_unavailable();
  } catch (const std::exception& error) {
    std::cerr << "switchboard: " << request.method << " " << request.path << " failed: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "switchboard: " << request.method << " " << request.path << " failed: unknown exception\n";
  }
  const route::Step* step = route::find(request.path);
  if (step == nullptr || request.method != "POST") return http::Response::json_error(500, "internal error");
  // A replay that fails again is refused, so the replay moves it to the dead-letter instead of keeping it twice.
  if (replaying) return http::Response::json_error(500, "internal error");
  // The safety net: the request is kept like one nginx kept (replayed later, dead-lettered if it fails again), and
  // the caller hears the step's fallback, exactly what nginx would have answered without a worker.
  try {
    kept_.keep(request, now_ms());
    metrics_.request_kept_by_worker();
  } catch (const std::exception& error) {
    std::cerr << "switchboard: " << request.path << " " << request.form_value("CallSid").value_or("-")
              << ": EVENT LOST, could not keep the request: " << error.what() << "\n";
  }
  try {
    const std::optional<std::string> twiml = ivr::fallback_twiml(settings_, routing_.current().routing, step->fallback);
    return twiml ? http::Response::xml(*twiml) : http::Response::empty(204);
  } catch (...) {
    return http::Response::json_error(500, "internal error");
  }
}

bool App::spool_pending() const { return pool_ == Pool::kWebhooks && (spool_.pending() || kept_.pending()); }

App::Progress App::replay_kept(int limit) noexcept {
  try {
    // The cap is a directory scan: once per check interval is enough, not once per batch of a draining backlog.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_cap_check_ >= std::chrono::seconds(2)) {
      last_cap_check_ = now;
      kept_.enforce_cap();
      spool_.keep_reserve(kSpoolReserveBytes);  // back as soon as there is room again
    }
    const std::vector<std::string> claimed = kept_.claim(limit);
    for (const std::string& path : claimed) {
      const auto started = std::chrono::steady_clock::now();
      const std::optional<std::string> content = kept_.read(path);
      if (!content) {
        // Not lost: the claim goes stale and the next look takes it again.
        std::cerr << "switchboard: cannot read kept request " << path << "; left for a later try\n";
        continue;
      }
      const std::optional<http::Request> request = decode_kept_request(*content);
      std::string refusal;
      int status = 0;
      if (!request) {
        refusal = "not a kept-request record";
      } else if (request->method != "POST" || route::find(request->path) == nullptr) {
        // nginx keeps only what reached a webhook location; anything else was never Twilio's webhook.
        refusal = "not a POST to a webhook route: " + printable(request->method) + " " + printable(request->path);
      } else {
        const http::Response response = route(*request, /*replaying=*/true);
        status = response.status;
        log_request("replayed", *request, status,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (status < 200 || status > 299) {
          refusal = "answered " + std::to_string(status) + ": " + printable(response.body.substr(0, 200));
        }
      }
      if (refusal.empty()) {
        kept_.done(path);
        metrics_.kept_request_replayed();
        continue;
      }
      try {
        kept_.dead_letter(path, refusal);
        metrics_.kept_request_dead_lettered();
        std::cerr << "switchboard: kept request " << path << " dead-lettered: " << refusal << "\n";
      } catch (const std::exception& error) {
        std::cerr << "switchboard: " << error.what() << "; left for a later try\n";
      }
    }
    // A full batch: more may wait right behind it.
    if (static_cast<int>(claimed.size()) == limit) return Progress::kMore;
  } catch (const std::exception& error) {
    std::cerr << "switchboard: kept request replay failed: " << error.what() << "\n";
  }
  return kept_.pending() ? Progress::kWaiting : Progress::kIdle;
}

// A change saved on another host, or one whose snapshot write failed here, reaches this host's file from the database.
// Only while events reach the database (nothing spooled): during an outage a connect attempt per look would hold the
// worker for the connect timeout, and the snapshot in force is what must route calls then anyway.
void App::sync_routing() noexcept {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_routing_sync_ || spool_.pending()) return;
  next_routing_sync_ = now + std::chrono::seconds(5);
  try {
    const std::int64_t in_force = routing_.current().number;
    if (routing_changes_.sync(in_force)) {
      std::cerr << "switchboard: routing snapshot written from the database (it held version " << in_force << ")\n";
    }
  } catch (const store::Unavailable&) {
    next_routing_sync_ = now + std::chrono::seconds(30);
  } catch (const std::exception& error) {
    std::cerr << "switchboard: routing sync failed: " << error.what() << "\n";
  }
}

App::Progress App::replay_pending() noexcept {
  // The feed pool has nothing to replay: kept requests and spooled events are the webhook pool's.
  if (pool_ == Pool::kFeed) return Progress::kIdle;
  sync_routing();
  const Progress kept = replay_kept(kKeptReplayBatch);
  try {
    if (spool_.pending()) {
      const store::ReplayResult result = spool_.replay(
          [this](const store::Event& event) { stores_.calls.record(event, webhooks::update_for(event)); });
      for (int i = 0; i < result.dead_lettered; ++i) metrics_.event_dead_lettered();
      if (result.replayed > 0 || result.unreadable > 0 || result.dead_lettered > 0 || !result.kept_batches.empty() ||
          !result.finished) {
        std::cerr << "switchboard: spool replay: " << result.replayed << " events stored"
                  << (result.dead_lettered > 0
                          ? ", " + std::to_string(result.dead_lettered) + " refused by the database (dead-letter)"
                          : "")
                  << (result.unreadable > 0 ? ", " + std::to_string(result.unreadable) + " unreadable lines kept" : "")
                  << (result.finished ? "" : ", database unavailable again, rest kept") << "\n";
        for (const std::string& kept : result.kept_batches) {
          std::cerr << "switchboard: spool batch kept for the next replay: " << kept << "\n";
        }
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "switchboard: spool replay failed: " << error.what() << "\n";
  }
  if (kept == Progress::kMore) return kept;
  return spool_pending() ? Progress::kWaiting : Progress::kIdle;
}

}  // namespace switchboard::server
