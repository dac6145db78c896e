// See print.h. JSON goes through RapidJSON's Writer so every string is escaped correctly.
#include "cli/print.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iomanip>
#include <string>
#include <vector>

#include "callsim/url.h"

namespace callsim::cli {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void print_list(std::ostream& out, const char* title, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  out << title << ":\n";
  for (const auto& line : lines) out << "  " << line << "\n";
}

// One line per <Dial>: the numbers it rang at once, so "A, B" (together) reads apart from "A" then "B".
std::vector<std::string> dial_lines(const CallReport& report) {
  std::vector<std::string> lines;
  for (const auto& group : report.dial_groups) {
    std::string line;
    for (const auto& number : group) line += (line.empty() ? "" : ", ") + number;
    lines.push_back(line);
  }
  return lines;
}

void write_string(JsonWriter& json, const std::string& text) {
  json.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_field(JsonWriter& json, const char* key, const std::string& value) {
  json.Key(key);
  write_string(json, value);
}

void write_strings(JsonWriter& json, const char* key, const std::vector<std::string>& values) {
  json.Key(key);
  json.StartArray();
  for (const auto& value : values) write_string(json, value);
  json.EndArray();
}

void write_exchange(JsonWriter& json, const Exchange& exchange) {
  json.StartObject();
  write_field(json, "leg", exchange.leg);
  write_field(json, "method", exchange.method);
  write_field(json, "url", exchange.url);
  json.Key("params");
  json.StartObject();
  for (const auto& [name, value] : exchange.params) {
    write_string(json, name);
    write_string(json, value);
  }
  json.EndObject();
  json.Key("status");
  json.Int64(exchange.http_status);
  write_field(json, "content_type", exchange.content_type);
  write_field(json, "body", exchange.body);
  json.Key("ms");
  json.Double(exchange.seconds * 1000);
  json.EndObject();
}

}  // namespace

void print_text(std::ostream& out, const CallReport& report, bool quiet) {
  out << "call " << report.call_sid << ": " << report.outcome << " after " << report.total_duration_s
      << " s; slowest answer " << std::fixed << std::setprecision(1) << report.slowest_webhook_s * 1000 << " ms\n";
  if (!quiet) {
    out << "requests:\n";
    for (const Exchange& exchange : report.exchanges) {
      out << "  " << std::left << std::setw(9) << exchange.leg << std::setw(5) << exchange.method << std::setw(36)
          << url_path(exchange.url) << std::right << std::setw(4) << exchange.http_status << std::setw(9)
          << exchange.seconds * 1000 << " ms\n";
    }
    print_list(out, "caller heard", report.heard);
    print_list(out, "forwarded phone heard", report.screen_heard);
    print_list(out, "dialled (one line per <Dial>, rung at once)", dial_lines(report));
  }
  print_list(out, "errors", report.errors);
}

void print_json(std::ostream& out, const CallReport& report) {
  rapidjson::StringBuffer buffer;
  JsonWriter json(buffer);
  json.StartObject();
  write_field(json, "call_sid", report.call_sid);
  write_field(json, "outcome", report.outcome);
  json.Key("ok");
  json.Bool(report.ok());
  json.Key("duration_s");
  json.Int(report.total_duration_s);
  json.Key("slowest_ms");
  json.Double(report.slowest_webhook_s * 1000);
  write_strings(json, "heard", report.heard);
  write_strings(json, "screen_heard", report.screen_heard);
  write_strings(json, "errors", report.errors);
  write_strings(json, "dialled", report.dialled);
  json.Key("dial_groups");
  json.StartArray();
  for (const auto& group : report.dial_groups) {
    json.StartArray();
    for (const auto& number : group) write_string(json, number);
    json.EndArray();
  }
  json.EndArray();
  json.Key("exchanges");
  json.StartArray();
  for (const Exchange& exchange : report.exchanges) write_exchange(json, exchange);
  json.EndArray();
  json.EndObject();
  out << buffer.GetString() << "\n";
}

}  // namespace callsim::cli
