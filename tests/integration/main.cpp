// The integration suite's entry point. The ctest fixture (stack.sh) has started the stack before this runs.
#define BOOST_TEST_MODULE switchboard_integration
#include <boost/test/unit_test.hpp>
