// switchboard-fcgi: one FastCGI worker. It inherits the listening socket on fd 0 (spawn-fcgi, or systemd's
// StandardInput=socket) and serves one request at a time; run N of them under multiwatch. SIGTERM, SIGINT or
// SIGUSR1 stop it gracefully: the request in flight is finished, then the worker exits. The database connection is
// opened lazily, after any fork.
#include <fcgiapp.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <string>

#include "config/settings.h"
#include "ivr/call_flow.h"
#include "server/app.h"
#include "server/fcgi_io.h"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int) {
  stop_requested = 1;
  FCGX_ShutdownPending();
}

void on_alarm(int) {}  // only interrupts accept() so the spool gets replayed while no calls come in

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

constexpr unsigned kSpoolRetrySeconds = 5;
// After a request, look at the spool at most this often: a directory scan per webhook costs more than the webhook's
// own system calls, and during an outage every attempt would split the spool into yet another batch file.
constexpr std::chrono::seconds kSpoolCheckInterval{2};

}  // namespace

int main(int argc, char** argv) {
  using namespace switchboard;
  const bool print_fallback = argc == 2 && std::string(argv[1]) == "--fallback-twiml";
  if (argc > 1 && !print_fallback) {
    std::cerr << "usage: switchboard-fcgi [--fallback-twiml]\n"
                 "  Serves FastCGI on the socket inherited as fd 0; configuration from the environment.\n"
                 "  --fallback-twiml prints the TwiML nginx answers when no worker does, and exits.\n";
    return 2;
  }
  config::Settings settings;
  try {
    settings = config::Settings::from_environment(config::process_environment());
  } catch (const config::ConfigError& error) {
    std::cerr << "switchboard-fcgi: configuration error: " << error.what() << "\n";
    return 2;
  }

  if (print_fallback) {
    std::cout << ivr::pool_down_fallback(settings);
    return 0;
  }
  if (FCGX_Init() != 0) {
    std::cerr << "switchboard-fcgi: FCGX_Init failed\n";
    return 1;
  }
  install_signal_handlers();
  server::App app(std::move(settings));

  FCGX_Request request;
  FCGX_InitRequest(&request, 0, FCGI_FAIL_ACCEPT_ON_INTR);
  app.replay_spool();
  auto last_spool_check = std::chrono::steady_clock::now();
  while (!stop_requested) {
    if (app.spool_pending()) alarm(kSpoolRetrySeconds);
    const int accepted = FCGX_Accept_r(&request);
    alarm(0);
    if (accepted < 0) {
      if (stop_requested) break;
      app.replay_spool();  // woken by the alarm (or a stray signal): try the spool, then wait again
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
    if (now - last_spool_check >= kSpoolCheckInterval) {
      last_spool_check = now;
      app.replay_spool();
    }
  }
  FCGX_Free(&request, 1);
  return 0;
}
