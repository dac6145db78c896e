// Lets BOOST_TEST print std::optional and std::pair values when a comparison fails, so call rows, updates and
// parameter lists can be compared field by field with readable messages.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <utility>

namespace boost::test_tools::tt_detail {

template <typename T>
struct print_log_value<std::optional<T>> {
  void operator()(std::ostream& out, const std::optional<T>& value) {
    if (value) print_log_value<T>()(out, *value);
    else out << "nullopt";
  }
};

template <>
struct print_log_value<std::nullopt_t> {
  void operator()(std::ostream& out, std::nullopt_t) { out << "nullopt"; }
};

template <typename A, typename B>
struct print_log_value<std::pair<A, B>> {
  void operator()(std::ostream& out, const std::pair<A, B>& value) {
    out << '(';
    print_log_value<A>()(out, value.first);
    out << ", ";
    print_log_value<B>()(out, value.second);
    out << ')';
  }
};

}  // namespace boost::test_tools::tt_detail
