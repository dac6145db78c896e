// Reading an http::Response in tests: a header's value and the message of a JSON error document {"error": …}.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

#include "http/response.h"
#include "json.h"

namespace switchboard::test {

// The value of header `name`, empty when the response does not carry it.
inline std::string header_of(const http::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// The message of a JSON error response with status `status`.
inline std::string json_error_of(const http::Response& response, int status) {
  BOOST_TEST(response.status == status);
  BOOST_TEST(response.content_type == "application/json; charset=utf-8");
  const rapidjson::Document body = parse_json(response.body);
  BOOST_REQUIRE(body.IsObject() && body.HasMember("error"));
  return string_of(body["error"]);
}

}  // namespace switchboard::test
