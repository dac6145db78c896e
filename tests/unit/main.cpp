// The unit test executable's entry point; the suites live in *_test.cpp files mirroring fcgi/.
#define BOOST_TEST_MODULE switchboard_unit
#include <boost/test/unit_test.hpp>
