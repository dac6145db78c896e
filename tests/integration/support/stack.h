// What the integration tests know about the running stack (read from <stack>/env, written by scripts/lib/stack.sh)
// and the few tools they use on it: HTTPS requests signed as Twilio signs them (with the simulator's signer, not the
// server's), the feed API with the admin's bearer token, and direct reads of the database to check what was stored.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "callsim/callsim.h"

namespace integration {

using Params = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  long status = 0;
  std::string content_type;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct StackInfo {
  std::string dir, base_url, account_sid, auth_token, feed_user, feed_password, feed_token, cacert, db_socket;
  std::string forward_to;     // where calls are forwarded
  std::string twilio_number;  // the number callers call (differs from forward_to)
};

// The stack started by the ctest fixture (INTEGRATION_STACK_DIR).
const StackInfo& stack();

// Requests the fake Twilio (tools/fake-twilio) received, as parsed JSON lines of its requests.jsonl.
std::vector<rapidjson::Document> fake_twilio_requests();
int fake_twilio_port();
// POSTs a form to one of the fake Twilio's /control endpoints; true when it answered.
bool control_fake_twilio(const std::string& endpoint, const std::string& form);

// Simulator options for this stack.
callsim::Options simulator_options();

// POST form params to base_url + path_and_query, signed with `auth_token` (default: the stack's) unless
// `signature` is given.
HttpResult post_webhook(const std::string& path_and_query, const Params& params, const std::string* signature = nullptr);
HttpResult request(const std::string& method, const std::string& path, bool authenticated,
                   const std::string& body = "", const std::vector<std::string>& headers = {});

// The path of an absolute URL, without its query: "https://h:1/twilio/voice/menu?attempt=2" → "/twilio/voice/menu".
std::string url_path(const std::string& url);

// A random Twilio-looking CallSid.
std::string new_call_sid();

// Rows from the database, as strings ("NULL" for NULL).
std::vector<std::map<std::string, std::string>> query(const std::string& sql, const std::vector<std::string>& args = {});
std::map<std::string, std::string> call_row(const std::string& sid);  // empty map when absent
int count(const std::string& sql, const std::vector<std::string>& args = {});
// Runs an INSERT/UPDATE/DELETE (tests that move time: a session's last use, a failure count); rows changed.
int execute(const std::string& sql, const std::vector<std::string>& args = {});

// The stack's kept-request folder (<state>/spool/nginx) and the requests in it that wait to be replayed (kept or
// claimed, not dead-lettered), and the files in its dead-letter folder.
std::string kept_dir();
int kept_waiting();
std::vector<std::string> kept_dead_letters();  // names of the dead-lettered requests (without .reason)
// True when nothing waits for the database: the event spool is empty and no kept request waits.
bool backlog_drained();
// Polls `condition` every 200 ms until it holds or `limit` passes; its last answer.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit);
// The pids of a pool's workers (children of multiwatch): "workers" the webhook pool, "feed-workers" the feed pool.
std::vector<int> pool_worker_pids(const std::string& pool = "workers");
// A number from /metrics (the sample line that starts with `name` followed by a space); -1 when absent.
double metric(const std::string& name);

// Runs a shell command in the stack's environment (scripts/lib/stack.sh functions available); returns exit status.
int stack_command(const std::string& command);

// switchboard-users ARGUMENTS with `input` on its standard input (the stack's database settings): exit status and
// everything it printed.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult users_command(const std::string& arguments, const std::string& input = "");
// switchboard-admin ARGUMENTS with `environment` ("NAME=value …", e.g. the retention settings) before it: exit status
// and everything it printed.
CommandResult admin_command(const std::string& arguments, const std::string& environment = "");

}  // namespace integration
