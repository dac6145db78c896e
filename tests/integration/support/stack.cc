// Integration test support: stack discovery, HTTPS with libcurl, database reads with Connector/C++.
#include "support/stack.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <curl/curl.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <dirent.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <fstream>
#include <sstream>
#include <thread>
#include <random>
#include <stdexcept>

namespace integration {

namespace {

std::string unquote(std::string value) {
  // printf %q output of our values: only backslash escapes ("Acme\ Plumbing") or $'…' never appear in the keys used.
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out += value[i];
  }
  return out;
}

StackInfo load() {
  const char* dir = std::getenv("INTEGRATION_STACK_DIR");
  if (dir == nullptr) throw std::runtime_error("INTEGRATION_STACK_DIR is not set (run through ctest)");
  std::ifstream in(std::string(dir) + "/env");
  if (!in) throw std::runtime_error(std::string("no stack env in ") + dir);
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = unquote(line.substr(eq + 1));
  }
  StackInfo info;
  info.dir = dir;
  info.base_url = values["PUBLIC_BASE_URL"];
  info.account_sid = values["TWILIO_ACCOUNT_SID"];
  info.auth_token = values["TWILIO_AUTH_TOKEN"];
  info.feed_user = values["FEED_USER"];
  info.feed_password = values["FEED_PASSWORD"];
  info.feed_token = values["FEED_TOKEN"];
  info.forward_to = values["FORWARD_TO"];
  info.twilio_number = values["TWILIO_NUMBER"];
  info.cacert = info.dir + "/nginx/tls.crt";
  info.db_socket = values["DB_SOCKET"];
  return info;
}

size_t collect_body(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

size_t collect_header(char* data, size_t size, size_t count, void* target) {
  std::string line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(target))[name] = value;
  }
  return size * count;
}

std::string form_encode(CURL* curl, const Params& params) {
  std::string body;
  for (const auto& [name, value] : params) {
    char* key = curl_easy_escape(curl, name.c_str(), static_cast<int>(name.size()));
    char* val = curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size()));
    if (!body.empty()) body += '&';
    body += std::string(key) + "=" + val;
    curl_free(key);
    curl_free(val);
  }
  return body;
}

HttpResult perform(const std::string& method, const std::string& url, const std::string& body,
                   const std::vector<std::string>& headers) {
  CURL* curl = curl_easy_init();
  HttpResult result;
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || method == "PUT" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_CAINFO, stack().cacert.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(list);
  if (code != CURLE_OK) {
    curl_easy_cleanup(curl);
    throw std::runtime_error("request to " + url + " failed: " + curl_easy_strerror(code));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  result.content_type = result.headers["content-type"];
  curl_easy_cleanup(curl);
  return result;
}

std::unique_ptr<sql::Connection> connect() {
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString("unix://" + stack().db_socket);
  options["userName"] = sql::SQLString("root");
  options["password"] = sql::SQLString("");
  options["schema"] = sql::SQLString("switchboard");
  return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(options));
}

}  // namespace

const StackInfo& stack() {
  static const StackInfo info = load();
  return info;
}

callsim::Options simulator_options() {
  callsim::Options options;
  options.base_url = stack().base_url;
  options.account_sid = stack().account_sid;
  options.auth_token = stack().auth_token;
  options.ca_file = stack().cacert;
  return options;
}

HttpResult post_webhook(const std::string& path_and_query, const Params& params, const std::string* signature) {
  const std::string url = stack().base_url + path_and_query;
  const std::string computed = callsim::sign(stack().auth_token, url, params);
  CURL* encoder = curl_easy_init();
  const std::string body = form_encode(encoder, params);
  curl_easy_cleanup(encoder);
  std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded",
                                   "X-Twilio-Signature: " + (signature ? *signature : computed)};
  return perform("POST", url, body, headers);
}

HttpResult request(const std::string& method, const std::string& path, bool authenticated, const std::string& body,
                   const std::vector<std::string>& headers) {
  std::vector<std::string> all = headers;
  if (authenticated) all.push_back("Authorization: Bearer " + stack().feed_token);
  return perform(method, stack().base_url + path, body, all);
}

std::string url_path(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return "/";
  return url.substr(path, url.find('?', path) - path);
}

std::vector<rapidjson::Document> fake_twilio_requests() {
  std::vector<rapidjson::Document> requests;
  std::ifstream log(stack().dir + "/fake-twilio/requests.jsonl");
  std::string line;
  while (std::getline(log, line)) {
    rapidjson::Document entry;
    entry.Parse(line.c_str());
    if (entry.IsObject()) requests.push_back(std::move(entry));
  }
  return requests;
}

int fake_twilio_port() {
  std::ifstream file(stack().dir + "/run/fake-twilio.port");
  int port = 0;
  file >> port;
  return port;
}

bool control_fake_twilio(const std::string& endpoint, const std::string& form) {
  const std::string command = "curl -sf -o /dev/null -X POST --data '" + form + "' http://127.0.0.1:" +
                              std::to_string(fake_twilio_port()) + "/control/" + endpoint;
  return std::system(command.c_str()) == 0;
}

std::string new_call_sid() {
  static std::mt19937_64 random{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string sid = "CA";
  for (int i = 0; i < 32; ++i) sid += kHex[random() % 16];
  return sid;
}

std::vector<std::map<std::string, std::string>> query(const std::string& sql, const std::vector<std::string>& args) {
  auto connection = connect();
  std::unique_ptr<sql::PreparedStatement> statement(connection->prepareStatement(sql));
  for (size_t i = 0; i < args.size(); ++i) statement->setString(static_cast<int>(i + 1), args[i]);
  std::unique_ptr<sql::ResultSet> rows(statement->executeQuery());
  sql::ResultSetMetaData* meta = rows->getMetaData();
  std::vector<std::map<std::string, std::string>> result;
  while (rows->next()) {
    std::map<std::string, std::string> row;
    for (unsigned int column = 1; column <= meta->getColumnCount(); ++column) {
      row[meta->getColumnLabel(column)] = rows->isNull(column) ? "NULL" : std::string(rows->getString(column));
    }
    result.push_back(row);
  }
  return result;
}

std::map<std::string, std::string> call_row(const std::string& sid) {
  auto rows = query("SELECT * FROM calls WHERE sid = ?", {sid});
  return rows.empty() ? std::map<std::string, std::string>{} : rows.front();
}

int execute(const std::string& sql, const std::vector<std::string>& args) {
  auto connection = connect();
  std::unique_ptr<sql::PreparedStatement> statement(connection->prepareStatement(sql));
  for (size_t i = 0; i < args.size(); ++i) statement->setString(static_cast<int>(i + 1), args[i]);
  return statement->executeUpdate();
}

int count(const std::string& sql, const std::vector<std::string>& args) {
  auto rows = query(sql, args);
  return rows.empty() ? 0 : std::stoi(rows.front().begin()->second);
}

namespace {

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) return names;
  while (dirent* entry = readdir(handle)) {
    const std::string name = entry->d_name;
    struct stat info {};
    if (name[0] != '.' && stat((dir + "/" + name).c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
      names.push_back(name);
    }
  }
  closedir(handle);
  return names;
}

bool spool_has_events() {
  const std::string dir = stack().dir + "/state/spool";
  for (const std::string& name : files_in(dir)) {
    const bool active = name == "events.spool";
    const bool batch = name.rfind("batch-", 0) == 0 && name.size() > 12 && name.compare(name.size() - 6, 6, ".spool") == 0;
    if (!active && !batch) continue;
    struct stat info {};
    if (stat((dir + "/" + name).c_str(), &info) == 0 && info.st_size > 0) return true;
  }
  return false;
}

}  // namespace

std::string kept_dir() { return stack().dir + "/state/spool/nginx"; }

int kept_waiting() {
  int waiting = 0;
  for (const std::string& name : files_in(kept_dir())) {
    if (name.rfind("kept-", 0) == 0 && name.find(".tmp") == std::string::npos) ++waiting;
  }
  return waiting;
}

std::vector<std::string> kept_dead_letters() {
  std::vector<std::string> names;
  for (const std::string& name : files_in(kept_dir() + "/dead")) {
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) names.push_back(name);
  }
  return names;
}

bool backlog_drained() { return kept_waiting() == 0 && !spool_has_events(); }

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return condition();
}

std::vector<int> pool_worker_pids(const std::string& pool) {
  std::ifstream pidfile(stack().dir + "/run/" + pool + ".pid");
  int supervisor = 0;
  pidfile >> supervisor;
  std::vector<int> children;
  std::ifstream list("/proc/" + std::to_string(supervisor) + "/task/" + std::to_string(supervisor) + "/children");
  int child = 0;
  while (list >> child) children.push_back(child);
  return children;
}

double metric(const std::string& name) {
  const HttpResult scraped = request("GET", "/metrics", true);
  std::istringstream lines(scraped.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

namespace {

// bash -c "…" running `command` with scripts/lib/stack.sh sourced for this stack.
std::string stack_shell(const std::string& command) {
  const std::string script = "set -e; source '" + std::string(SWITCHBOARD_SOURCE_DIR) +
                             "/scripts/lib/stack.sh'; export SB_DIR='" + stack().dir + "' SB_BUILD_DIR='" +
                             SWITCHBOARD_BUILD_DIR + "'; " + command;
  std::string escaped;
  for (char c : script) {
    if (c == '"' || c == '\\' || c == '$' || c == '`') escaped += '\\';
    escaped += c;
  }
  return "bash -c \"" + escaped + "\"";
}

}  // namespace

int stack_command(const std::string& command) {
  const int status = std::system(stack_shell(command).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CommandResult users_command(const std::string& arguments, const std::string& input) {
  const std::string input_file = stack().dir + "/users-input";
  {
    std::ofstream file(input_file, std::ios::trunc);
    file << input;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      popen((stack_shell("sb_users " + arguments + " <'" + input_file + "'") + " 2>&1").c_str(), "r"), pclose);
  CommandResult result;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) result.output.append(buffer, n);
  const int status = pclose(pipe.release());
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::remove(input_file.c_str());
  return result;
}

CommandResult admin_command(const std::string& arguments, const std::string& environment) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      popen((stack_shell(environment + " sb_admin " + arguments + " </dev/null") + " 2>&1").c_str(), "r"), pclose);
  CommandResult result;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe.get())) result.output.append(buffer, n);
  const int status = pclose(pipe.release());
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace integration
