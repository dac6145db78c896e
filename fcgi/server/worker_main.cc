// switchboard-fcgi: one FastCGI worker. It inherits the listening socket on fd 0 (spawn-fcgi, or systemd's
// StandardInput=socket) and serves one request at a time; run N of them under multiwatch. SIGTERM, SIGINT or
// SIGUSR1 stop it gracefully: the request in flight is finished, then the worker exits. main() is the one place the
// MySQL stores are wired in (server::App sees only their interfaces); their connections are opened lazily, after
// any fork.
#include <fcgiapp.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "config/settings.h"
#include "ivr/call_flow.h"
#include "server/app.h"
#include "server/database_options.h"
#include "server/fcgi_io.h"
#include "routing/snapshot.h"
#include "server/nginx_fallbacks.h"
#include "store/mysql_account_store.h"
#include "store/mysql_call_store.h"
#include "store/routing_store.h"

namespace {

using switchboard::server::App;

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int) {
  stop_requested = 1;
  FCGX_ShutdownPending();
}

void on_alarm(int) {}  // only interrupts accept() so kept requests and the spool get replayed while no calls come in

void install_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked accept() must return so the loop can see the stop request
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  action.sa_handler = on_alarm;
  sigaction(SIGALRM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// While something waits that cannot go on yet (the database is down), look again this often.
constexpr std::chrono::milliseconds kRetryInterval{2000};
// While a backlog drains, the next batch comes this soon after the last one when no call is waiting: a batch is a
// few milliseconds of work, so live requests (which accept() takes first) wait for one batch at most.
constexpr std::chrono::milliseconds kDrainInterval{20};
// After a request, look at the backlog at most this often: a directory scan per webhook costs more than the
// webhook's own system calls, and during an outage every attempt would split the spool into yet another batch file.
constexpr std::chrono::seconds kCheckInterval{2};
// An idle worker still looks this often: nginx may have kept a request while the pool was too slow to answer.
constexpr std::chrono::milliseconds kIdleInterval{5000};

// Interrupts the next accept() after `delay` (zero: never).
void wake_after(std::chrono::milliseconds delay) {
  itimerval timer{};
  timer.it_value.tv_sec = static_cast<time_t>(delay.count() / 1000);
  timer.it_value.tv_usec = static_cast<suseconds_t>(delay.count() % 1000 * 1000);
  setitimer(ITIMER_REAL, &timer, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace switchboard;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool print_map = args.size() == 1 && args[0] == "--nginx-fallback-map";
  const bool print_locations = args.size() == 1 && args[0] == "--nginx-fallback-locations";
  App::Pool pool = App::Pool::kWebhooks;
  const bool pool_option = args.size() == 2 && args[0] == "--pool" && (args[1] == "webhooks" || args[1] == "feed");
  if (pool_option && args[1] == "feed") pool = App::Pool::kFeed;
  if (!args.empty() && !print_map && !print_locations && !pool_option) {
    std::cerr << "usage: switchboard-fcgi [--pool webhooks|feed | --nginx-fallback-map | --nginx-fallback-locations]\n"
                 "  Serves FastCGI on the socket inherited as fd 0; configuration from the environment.\n"
                 "  --pool webhooks (the default) serves Twilio's webhooks, /healthz and /metrics; --pool feed serves\n"
                 "  the office's /api/ and /readyz. Run each pool on its own socket.\n"
                 "  --nginx-fallback-map, --nginx-fallback-locations print what nginx answers on each Twilio step\n"
                 "  when no worker does (for its configuration), and exit.\n";
    return 2;
  }
  if (print_map) {
    std::cout << server::nginx_fallback_map();
    return 0;
  }
  config::Settings settings;
  try {
    settings = config::Settings::from_environment(config::process_environment());
  } catch (const config::ConfigError& error) {
    std::cerr << "switchboard-fcgi: configuration error: " << error.what() << "\n";
    return 2;
  }

  if (print_locations) {
    routing::Snapshot snapshot(routing::snapshot_path(settings), routing::initial_routing(settings));
    std::cout << server::nginx_fallback_locations(settings, snapshot.current().routing);
    return 0;
  }
  if (FCGX_Init() != 0) {
    std::cerr << "switchboard-fcgi: FCGX_Init failed\n";
    return 1;
  }
  install_signal_handlers();
  store::ConnectionOptions database = server::connection_options(settings.database);
  // On a cluster, the office's pages read what any host wrote before them, as on one server.
  database.causal_reads = pool == App::Pool::kFeed;
  store::MysqlCallStore call_store(database, server::notification_policy(settings));
  store::MysqlRoutingStore routing_store(database);
  store::MysqlAccountStore account_store(database);
  const App::Stores stores{call_store, routing_store, account_store, [&call_store] { return call_store.reachable(); }};
  server::App app(std::move(settings), pool, stores, [] { return std::chrono::system_clock::now(); });

  FCGX_Request request;
  FCGX_InitRequest(&request, 0, FCGI_FAIL_ACCEPT_ON_INTR);
  // The first look at the backlog waits for the first timer: a worker takes live calls before any old work.
  App::Progress progress = app.spool_pending() ? App::Progress::kWaiting : App::Progress::kIdle;
  auto last_check = std::chrono::steady_clock::now();
  while (!stop_requested) {
    wake_after(progress == App::Progress::kMore      ? kDrainInterval
               : progress == App::Progress::kWaiting ? kRetryInterval
                                                     : kIdleInterval);
    const int accepted = FCGX_Accept_r(&request);
    wake_after(std::chrono::milliseconds::zero());
    if (accepted < 0) {
      if (stop_requested) break;
      // Woken by the timer (or a stray signal): one batch of the backlog, then wait again.
      progress = app.replay_pending();
      last_check = std::chrono::steady_clock::now();
      continue;
    }
    http::Response response;
    try {
      response = app.handle(server::read_request(request));
    } catch (const server::BadRequest& error) {
      response = http::Response::text(error.status(), std::string(error.what()) + "\n");
    } catch (const std::exception& error) {
      std::cerr << "switchboard-fcgi: unreadable request: " << error.what() << "\n";
      response = http::Response::text(400, "unreadable request\n");
    }
    server::write_response(request, response);
    FCGX_Finish_r(&request);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check >= kCheckInterval) {
      last_check = now;
      progress = app.replay_pending();
    }
  }
  FCGX_Free(&request, 1);
  return 0;
}
