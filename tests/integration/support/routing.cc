// See routing.h.
#include "support/routing.h"

#include <boost/test/unit_test.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

namespace integration {

namespace {

const std::vector<std::string> kJsonWrite{"Content-Type: application/json", "X-Requested-With: switchboard"};

}  // namespace

std::string routing_text(const rapidjson::Value& document) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

rapidjson::Document routing_in_force() {
  const HttpResult result = request("GET", "/api/routing", true);
  BOOST_REQUIRE_MESSAGE(result.status == 200, "GET /api/routing: " << result.status << " " << result.body);
  rapidjson::Document document;
  document.Parse(result.body.c_str());
  BOOST_REQUIRE_MESSAGE(!document.HasParseError() && document.IsObject() && document.HasMember("routing"),
                        result.body);
  return document;
}

HttpResult put_routing(const std::string& document, std::int64_t version) {
  std::vector<std::string> headers = kJsonWrite;
  if (version >= 0) headers.push_back("If-Match: \"" + std::to_string(version) + "\"");
  return request("PUT", "/api/routing", true, document, headers);
}

void wait_for_workers_to_see_routing() { std::this_thread::sleep_for(std::chrono::milliseconds(400)); }

std::int64_t fallbacks_rendered_version() {
  std::ifstream file(stack().dir + "/run/fallbacks.version");
  std::int64_t version = -1;
  if (file) file >> version;
  return version;
}

bool wait_for_fallbacks(std::int64_t version) {
  return eventually([&] { return fallbacks_rendered_version() == version; }, std::chrono::seconds(15));
}

RoutingChange::RoutingChange(const RoutingEdit& edit) {
  rapidjson::Document in_force = routing_in_force();
  previous_ = routing_text(in_force["routing"]);
  rapidjson::Value& routing = in_force["routing"];
  edit(routing, in_force.GetAllocator());
  const HttpResult saved = put_routing(routing_text(routing), in_force["version"].GetInt64());
  BOOST_REQUIRE_MESSAGE(saved.status == 200, "PUT /api/routing: " << saved.status << " " << saved.body);
  rapidjson::Document answer;
  answer.Parse(saved.body.c_str());
  version_ = answer["version"].GetInt64();
  wait_for_workers_to_see_routing();
}

RoutingChange::~RoutingChange() {
  const HttpResult restored = put_routing(previous_);
  if (restored.status != 200) {
    BOOST_ERROR("restoring the routing: " << restored.status << " " << restored.body);
    return;
  }
  wait_for_workers_to_see_routing();
  // The next test may stop the pool: nginx's answers must be the restored routing's by then.
  rapidjson::Document answer;
  answer.Parse(restored.body.c_str());
  if (!wait_for_fallbacks(answer["version"].GetInt64())) BOOST_ERROR("nginx's fallbacks were not rendered again");
}

rapidjson::Value string_array(const std::vector<std::string>& items, rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Value array(rapidjson::kArrayType);
  for (const std::string& item : items) array.PushBack(string_value(item, allocator), allocator);
  return array;
}

rapidjson::Value string_value(const std::string& text, rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Value value;
  value.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), allocator);
  return value;
}

std::string utc_date_today() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &utc);
  return date;
}

}  // namespace integration
